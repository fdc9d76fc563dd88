package io.jenkins.plugins.agentgate.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A private dockerd (own data root, exec root, pid file, socket, containerd namespace; no bridge, no
 * iptables) for fault tests that kill the daemon: the shared engine other tests and people use is never touched.
 */
final class SeparateDaemon implements AutoCloseable {
    final Path dir;
    final Path socket;
    private Process process;

    private SeparateDaemon(Path dir) {
        this.dir = dir;
        this.socket = dir.resolve("d.sock");
    }

    static SeparateDaemon start() throws IOException, InterruptedException {
        boolean root = "root".equals(System.getProperty("user.name"));
        boolean dockerd = Files.isExecutable(Path.of("/usr/sbin/dockerd")) || Files.isExecutable(Path.of("/usr/bin/dockerd"));
        if (!root || !dockerd) {
            String why = !root ? "a private dockerd needs root" : "dockerd is not installed";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but " + why + " (.ci/run runs as root and installs docker.io)");
            }
            Assumptions.abort("skipped: " + why);
        }
        // Short path: unix socket paths are limited to 108 bytes.
        SeparateDaemon d = new SeparateDaemon(Files.createTempDirectory(Path.of("/tmp"), "agd-"));
        d.launch();
        return d;
    }

    Map<String, String> env() {
        return Map.of("DOCKER_HOST", "unix://" + socket);
    }

    private void launch() throws IOException, InterruptedException {
        Files.deleteIfExists(dir.resolve("pid")); // left behind by a killed daemon
        String ns = "agentgate-test-" + dir.getFileName();
        process = new ProcessBuilder(List.of("dockerd", "--data-root", dir.resolve("data").toString(), "--exec-root",
                dir.resolve("x").toString(), "--pidfile", dir.resolve("pid").toString(), "-H", "unix://" + socket,
                "--bridge", "none", "--iptables=false", "--ip-masq=false", "--containerd-namespace", ns,
                "--containerd-plugins-namespace", ns + "-p"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("dockerd.log").toFile()))
                .start();
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < until) {
            if (!process.isAlive()) {
                fail("private dockerd exited: " + Files.readString(dir.resolve("dockerd.log")));
            }
            if (DockerEngine.docker(env(), "docker", "version", "--format", "{{.Server.Version}}").exitCode() == 0) {
                return;
            }
            Thread.sleep(200);
        }
        fail("private dockerd did not answer within 60 s: " + Files.readString(dir.resolve("dockerd.log")));
    }

    /** The daemon dies at once (SIGKILL), as in a crash; its containers' shims live on. */
    void crash() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    void restart() throws IOException, InterruptedException {
        // The crashed daemon's containerd dies with it but may linger as a zombie whose pid still "exists";
        // dockerd would then wait for it forever. Wait until it is gone or defunct, then drop its pid file.
        Path pidFile = dir.resolve("x/containerd/containerd.pid");
        if (Files.exists(pidFile)) {
            String pid = Files.readString(pidFile).strip();
            long until = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (System.nanoTime() < until && alive(pid)) {
                Thread.sleep(100);
            }
            Files.deleteIfExists(pidFile);
        }
        launch();
    }

    private static boolean alive(String pid) {
        try {
            String stat = Files.readString(Path.of("/proc", pid, "stat"));
            return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            DockerEngine.Result ids = DockerEngine.docker(env(), "docker", "ps", "-aq");
            if (!ids.stdout().isBlank()) {
                var argv = new java.util.ArrayList<>(List.of("docker", "rm", "-f"));
                argv.addAll(ids.stdout().lines().toList());
                DockerEngine.docker(env(), argv.toArray(String[]::new));
            }
            process.destroy(); // SIGTERM: dockerd stops its containerd and unmounts
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        try {
            Files.createDirectories(Path.of("target"));
            Files.copy(dir.resolve("dockerd.log"), Path.of("target", "dockerd-" + dir.getFileName() + ".log"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // the log is only for diagnosis
        }
        new ProcessBuilder("umount", dir.resolve("data").toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(30, TimeUnit.SECONDS);
        new ProcessBuilder("rm", "-rf", "--one-file-system", dir.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(60, TimeUnit.SECONDS);
    }
}
