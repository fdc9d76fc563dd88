package io.jenkins.plugins.agentgate.core.egress;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test helper: runs the real {@code docker} client with a timeout, output captured to files. */
final class DockerCli {
    record Result(int exit, String out, String err) {
        String all() {
            return out + err;
        }
    }

    private DockerCli() {}

    static Result docker(Duration timeout, List<String> args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>();
        argv.add("docker");
        argv.addAll(args);
        return exec(timeout, argv);
    }

    static Result docker(Duration timeout, String... args) throws IOException, InterruptedException {
        return docker(timeout, List.of(args));
    }

    static Result exec(Duration timeout, List<String> argv) throws IOException, InterruptedException {
        Path out = Files.createTempFile("agentgate-egress-test", ".out");
        Path err = Files.createTempFile("agentgate-egress-test", ".err");
        try {
            Process p = new ProcessBuilder(argv).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("timed out after " + timeout + ": " + argv + "\n"
                        + Files.readString(err, StandardCharsets.UTF_8));
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Fails with a clear message when the engine is not there: these tests need a real one. */
    static void requireEngine() throws IOException, InterruptedException {
        Result r;
        try {
            r = docker(Duration.ofSeconds(30), "info", "--format", "{{.ServerVersion}}");
        } catch (IOException e) {
            throw new IllegalStateException("the docker client is not installed; these tests need a real engine"
                    + " (.ci/run installs docker.io and starts dockerd)", e);
        }
        if (r.exit() != 0) {
            throw new IllegalStateException("the docker daemon is not reachable; these tests need a real engine"
                    + " (.ci/run starts dockerd): " + r.err().strip());
        }
    }

    /**
     * A minimal local image: Debian's static busybox with the applets the tests use, imported from a rootfs
     * tarball (no registry is reachable). Rebuilding is cheap and makes the image exactly this.
     */
    static String busyboxImage(Path work) throws IOException, InterruptedException {
        String tag = "agentgate-egress-test/busybox:1";
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isExecutable(busybox)) {
            busybox = Path.of("/usr/bin/busybox");
        }
        if (!Files.isExecutable(busybox)) {
            throw new IllegalStateException("busybox not found; the docker tests need Debian's busybox-static"
                    + " (apt-get install busybox-static)");
        }
        Path root = Files.createDirectories(work.resolve("rootfs"));
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("tmp"));
        Files.createDirectories(root.resolve("etc"));
        Files.copy(busybox, root.resolve("bin/busybox"));
        for (String applet : List.of("sh", "wget", "nc", "nslookup", "sleep", "cat", "echo", "printf", "env", "date")) {
            Files.createSymbolicLink(root.resolve("bin/" + applet), Path.of("busybox"));
        }
        Path tar = work.resolve("rootfs.tar");
        Result t = exec(Duration.ofSeconds(60), List.of("tar", "-C", root.toString(), "-cf", tar.toString(), "."));
        if (t.exit() != 0) {
            throw new IllegalStateException("tar failed: " + t.err());
        }
        Result i = docker(Duration.ofSeconds(120), "import", tar.toString(), tag);
        if (i.exit() != 0) {
            throw new IllegalStateException("docker import failed: " + i.err());
        }
        return tag;
    }
}
