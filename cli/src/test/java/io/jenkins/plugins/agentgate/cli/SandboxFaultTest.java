package io.jenkins.plugins.agentgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.profile.DefaultCatalog;
import io.jenkins.plugins.agentgate.core.run.GovernedRun;
import io.jenkins.plugins.agentgate.core.run.RunInput;
import io.jenkins.plugins.agentgate.core.run.RunOutcome;
import io.jenkins.plugins.agentgate.core.run.RunStatus;
import io.jenkins.plugins.agentgate.core.sandbox.DockerSandbox;
import io.jenkins.plugins.agentgate.core.sandbox.Labels;
import io.jenkins.plugins.agentgate.core.sandbox.Termination;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine or the runner dies mid-run: a clear error, and no orphan survives the next run's reaper. */
class SandboxFaultTest {
    static SeparateDaemon daemon;
    @TempDir
    Path tmp;

    @BeforeAll
    static void startDaemon() throws Exception {
        DockerEngine.require(); // the shared engine's client must exist; the images are built into the private one
        daemon = SeparateDaemon.start();
        DockerEngine.ensureImage(daemon.env(), DockerEngine.TEST_IMAGE, true);
    }

    @AfterAll
    static void stopDaemon() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    /** A sandbox whose clock is ahead: every container's deadline has passed for its reaper. */
    static DockerSandbox later() {
        return new DockerSandbox(new ProcessCommandRunner(daemon.env()), "docker", Clock.offset(Clock.systemUTC(), Duration.ofMinutes(30)));
    }

    Path workspace() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        SandboxEscapeTest.own(ws);
        return ws;
    }

    RunOutcome run(DockerSandbox sandbox, Path ws, String... command) {
        return GovernedRun.builder(sandbox).scratch(tmp).build().execute(new RunInput(DefaultCatalog.get(),
                RunRequest.builder(ExecutionClass.DRAFT).image(DockerEngine.TEST_IMAGE).timeout(Duration.ofSeconds(30)).build(),
                "fault test", ws, List.of(command), new ByteArrayOutputStream()));
    }

    static List<String> running() throws Exception {
        return DockerEngine.docker(daemon.env(), "docker", "ps", "-q", "--filter", "label=" + Labels.RUN_ID, "--filter", "status=running")
                .stdout().lines().filter(l -> !l.isBlank()).toList();
    }

    static List<String> all() throws Exception {
        return DockerEngine.docker(daemon.env(), "docker", "ps", "-aq", "--no-trunc", "--filter", "label=" + Labels.RUN_ID)
                .stdout().lines().filter(l -> !l.isBlank()).toList();
    }

    static void awaitRunning() throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (running().isEmpty()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("no sandbox container started within 60 s");
            }
            Thread.sleep(100);
        }
    }

    @Test
    void theDaemonDyingMidRunIsAClearErrorAndTheReaperRemovesTheOrphan() throws Exception {
        Path ws = workspace();
        DockerSandbox now = new DockerSandbox(new ProcessCommandRunner(daemon.env()), "docker", Clock.systemUTC());
        CompletableFuture<RunOutcome> f = CompletableFuture.supplyAsync(() -> run(now, ws, "sleep", "60"));
        awaitRunning();
        daemon.crash();
        RunOutcome o = f.get(90, TimeUnit.SECONDS);
        assertThat(o.status()).isEqualTo(RunStatus.RUNTIME_ERROR);
        assertThat(o.sandbox().termination()).isEqualTo(Termination.RUNTIME_ERROR);
        assertThat(o.sandbox().removed()).isFalse();
        assertThat(o.message()).containsAnyOf("lost the container", "not reachable").contains("reaper");

        daemon.restart();
        assertThat(DockerEngine.containersOfRun(daemon.env(), o.runId())).as("the orphan survived the crash").hasSize(1);
        List<String> reaped = later().reaper().reap();
        assertThat(reaped).contains(o.sandbox().containerId());
        assertThat(DockerEngine.containersOfRun(daemon.env(), o.runId())).isEmpty();
    }

    @Test
    void aKilledRunnerLeavesAnOrphanThatTheNextRunsReaperRemoves() throws Exception {
        Path ws = workspace();
        Path task = Files.writeString(tmp.resolve("task.md"), "sleep");
        List<String> before = all();
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"), AgentGateCli.class.getName(),
                "run", "--class", "draft", "--task", task.toString(), "--workspace", ws.toString(), "--image", DockerEngine.TEST_IMAGE,
                "--evidence-dir", tmp.resolve("evidence").toString(), "--timeout", "20s", "--", "sleep", "60")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("cli.log").toFile());
        pb.environment().putAll(daemon.env());
        Process cli = pb.start();
        try {
            awaitRunning();
        } finally {
            cli.destroyForcibly(); // SIGKILL: no finally block of the runner runs
            cli.waitFor(30, TimeUnit.SECONDS);
        }
        List<String> orphans = new ArrayList<>(all());
        orphans.removeAll(before);
        assertThat(orphans).as("the killed runner's container (log: %s)", Files.readString(tmp.resolve("cli.log"))).hasSize(1);

        RunOutcome next = run(later(), ws, "true");
        assertThat(next.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(next.reaped()).containsAll(orphans);
        assertThat(all()).doesNotContainAnyElementsOf(orphans);
    }
}
