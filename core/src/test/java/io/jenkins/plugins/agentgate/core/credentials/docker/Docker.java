package io.jenkins.plugins.agentgate.core.credentials.docker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The docker client through ProcessBuilder, for tests only (the sandbox runner is the product's way). Secret
 * values reach it only through the child's environment or stdin, never its argv.
 */
public final class Docker {
    public static final String IMAGE = "agentgate-test/credentials-busybox:3";
    public static final String LABEL = "io.jenkins.plugins.agentgate.test=credentials";

    public record Result(int exitCode, String stdout, String stderr) {}

    private Docker() {}

    public static Result run(List<String> args, Map<String, String> env, byte[] stdin, long timeoutSeconds)
            throws IOException, InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = run(args, env, stdin, out, err, timeoutSeconds);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs docker with {@code args}, streaming its stdout/stderr into the given streams; kills it at the timeout. */
    public static int run(List<String> args, Map<String, String> env, byte[] stdin, OutputStream out, OutputStream err,
                          long timeoutSeconds) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        argv.add("docker");
        argv.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().putAll(env);
        Process p = pb.start();
        Thread o = pump(p.getInputStream(), out);
        Thread e = pump(p.getErrorStream(), err);
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin);
            }
        }
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            o.join(5000);
            e.join(5000);
            throw new IOException("docker " + args.get(0) + " did not finish within " + timeoutSeconds + " s");
        }
        o.join(10_000);
        e.join(10_000);
        return p.exitValue();
    }

    private static Thread pump(InputStream in, OutputStream out) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[4096];
            try (in) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    out.write(buf, 0, n);
                }
            } catch (IOException ignored) {
                // the process went away; what was read is kept
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Fails with a clear message when the daemon is not reachable: these tests need a real engine. */
    public static void requireEngine() throws Exception {
        Result r;
        try {
            r = run(List.of("info", "--format", "{{.ServerVersion}}"), Map.of(), null, 60);
        } catch (IOException e) {
            throw new AssertionError("the docker client is not installed (apt-get install docker.io): " + e.getMessage());
        }
        if (r.exitCode() != 0) {
            throw new AssertionError("the docker daemon is not running (start dockerd; .ci/run does): " + r.stderr().strip());
        }
    }

    /**
     * Builds the test image once: a rootfs of Debian's static /bin/busybox (apt-get install busybox-static) with
     * its applet links and a passwd entry for uid 1000, imported with
     * {@code docker import} (no registry is reachable).
     */
    public static synchronized String busyboxImage() throws Exception {
        requireEngine();
        if (run(List.of("image", "inspect", IMAGE), Map.of(), null, 60).exitCode() == 0) {
            return IMAGE;
        }
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isRegularFile(busybox)) {
            throw new AssertionError("/bin/busybox is missing; expected Debian's busybox-static (apt-get install busybox-static)");
        }
        Path root = Files.createTempDirectory("agentgate-busybox-rootfs");
        try {
            Path bin = Files.createDirectories(root.resolve("bin"));
            Files.copy(busybox, bin.resolve("busybox"));
            bin.resolve("busybox").toFile().setExecutable(true, false);
            Process list = new ProcessBuilder(busybox.toString(), "--list").start();
            String applets = new String(list.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            list.waitFor();
            for (String a : applets.split("\n")) {
                if (!a.isBlank() && !a.equals("busybox")) {
                    Files.createSymbolicLink(bin.resolve(a.strip()), Path.of("busybox"));
                }
            }
            Files.createDirectories(root.resolve("etc"));
            Files.writeString(root.resolve("etc/passwd"), "root:x:0:0::/root:/bin/sh\nagent:x:1000:1000::/tmp:/bin/sh\n");
            Files.writeString(root.resolve("etc/group"), "root:x:0:\nagent:x:1000:\n");
            // No /tmp and no /run/agentgate/secrets in the image: docker copies an existing mount point's mode
            // (0755, root) onto the tmpfs, overriding the mode= option.
            Files.createDirectories(root.resolve("run"));
            Process tar = new ProcessBuilder("sh", "-c", "tar -C \"$1\" -c . | docker import - \"$2\"", "sh", root.toString(), IMAGE)
                    .redirectErrorStream(true).start();
            String log = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!tar.waitFor(300, TimeUnit.SECONDS) || tar.exitValue() != 0) {
                throw new AssertionError("building " + IMAGE + " failed: " + log);
            }
            return IMAGE;
        } finally {
            try (var walk = Files.walk(root)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** {@code docker run} options of a hardened sandbox with the secret tmpfs of the sandbox contract. */
    public static List<String> sandboxOptions(String name) {
        return List.of("--name", name, "--label", LABEL, "--network", "none", "--read-only", "--cap-drop", "ALL",
                "--security-opt", "no-new-privileges", "--user", "1000:1000", "--pids-limit", "64", "--memory", "64m",
                "--tmpfs", "/run/agentgate/secrets:rw,noexec,nosuid,nodev,size=1m,mode=0700,uid=1000,gid=1000",
                "--tmpfs", "/tmp:rw,noexec,nosuid,nodev,size=8m,mode=1777");
    }

    public static void removeQuietly(String name) {
        try {
            run(List.of("rm", "-f", name), Map.of(), null, 60);
        } catch (Exception ignored) {
            // best effort in test cleanup
        }
    }

    /** Waits until the container runs (bounded). */
    public static void awaitRunning(String name, long timeoutSeconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (System.nanoTime() < deadline) {
            Result r = run(List.of("inspect", "-f", "{{.State.Running}}", name), Map.of(), null, 30);
            if (r.exitCode() == 0 && r.stdout().strip().equals("true")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("container " + name + " did not start within " + timeoutSeconds + " s");
    }
}
