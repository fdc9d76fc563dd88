package io.jenkins.plugins.agentgate.cli;

import static org.junit.jupiter.api.Assertions.fail;

import io.jenkins.plugins.agentgate.core.port.Command;
import io.jenkins.plugins.agentgate.core.port.CommandResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Docker engine the sandbox tests run against. Under CI (CI=true) a missing engine fails the build;
 * locally the tests are skipped with the reason.
 */
final class DockerEngine {
    static final String TEST_IMAGE = "agentgate-test/busybox:1";
    static final String EXAMPLE_IMAGE = "agentgate-example/busybox:1";
    private static volatile boolean ready;

    private DockerEngine() {}

    /** Ensures the engine answers and the test images exist (building them locally when missing). */
    static synchronized void require() {
        if (ready) {
            return;
        }
        String problem = null;
        try {
            Result v = docker(Map.of(), "docker", "version", "--format", "{{.Server.Version}}");
            if (v.exitCode != 0) {
                problem = "the Docker daemon does not answer: " + v.stderr.strip();
            }
        } catch (IOException e) {
            problem = "the docker client is not installed: " + e.getMessage();
        }
        if (problem != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail("CI=true but " + problem + " (.ci/run installs and starts Docker)");
            }
            Assumptions.abort("skipped: " + problem + "; run .ci/run or start dockerd to run the sandbox tests");
        }
        try {
            ensureImage(Map.of(), TEST_IMAGE, true);
            ensureImage(Map.of(), EXAMPLE_IMAGE, false);
        } catch (IOException e) {
            fail("cannot build the test images: " + e.getMessage());
        }
        ready = true;
    }

    static void ensureImage(Map<String, String> env, String tag, boolean testFixtures) throws IOException {
        if (docker(env, "docker", "image", "inspect", "--format", "{{.Id}}", tag).exitCode == 0) {
            return;
        }
        Path script = repoRoot().resolve("examples/build-image.sh");
        Result r = testFixtures ? docker(env, "bash", script.toString(), tag, "--test") : docker(env, "bash", script.toString(), tag);
        if (r.exitCode != 0) {
            fail("building " + tag + " failed: " + r.stderr);
        }
    }

    static Path repoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("examples/build-image.sh"))) {
            p = p.getParent();
        }
        if (p == null) {
            fail("cannot find the repository root (examples/build-image.sh) above " + Path.of("").toAbsolutePath());
        }
        return p;
    }

    record Result(int exitCode, String stdout, String stderr) {}

    static Result docker(Map<String, String> env, String... argv) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            CommandResult r = new ProcessCommandRunner(env).run(new Command(List.of(argv), Map.of(), null, null), out, err,
                    Duration.ofSeconds(120));
            return new Result(r.exitCode(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Ids of all containers (any state) labelled with the run id. */
    static List<String> containersOfRun(Map<String, String> env, String runId) throws IOException {
        Result r = docker(env, "docker", "ps", "-a", "-q", "--filter", "label=io.jenkins.agentgate.run-id=" + runId);
        return r.stdout.lines().filter(l -> !l.isBlank()).toList();
    }
}
