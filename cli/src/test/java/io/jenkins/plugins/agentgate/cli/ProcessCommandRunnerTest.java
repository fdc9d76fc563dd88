package io.jenkins.plugins.agentgate.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.agentgate.core.port.Command;
import io.jenkins.plugins.agentgate.core.port.CommandResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Contract of the CommandRunner port, on its ProcessBuilder implementation. */
class ProcessCommandRunnerTest {
    final ProcessCommandRunner runner = new ProcessCommandRunner();

    @Test
    void environmentReachesTheChildButNotItsCommandLine() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandResult r = runner.run(new Command(List.of("sh", "-c", "echo $SECRET_X; cat /proc/$$/cmdline"), Map.of("SECRET_X", "v4lue"),
                null, null), out, new ByteArrayOutputStream(), Duration.ofSeconds(30));
        assertThat(r.exitCode()).isZero();
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n", 2);
        assertThat(lines[0]).isEqualTo("v4lue");
        assertThat(lines[1]).doesNotContain("v4lue");
    }

    @Test
    void stdinIsWrittenAndClosed() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        runner.run(new Command(List.of("cat"), Map.of(), null, "data".getBytes(StandardCharsets.UTF_8)), out, new ByteArrayOutputStream(),
                Duration.ofSeconds(30));
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("data");
    }

    @Test
    void exitCodesAndStderrArePassedOn() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandResult r = runner.run(Command.of("sh", "-c", "echo oops >&2; exit 7"), new ByteArrayOutputStream(), err, Duration.ofSeconds(30));
        assertThat(r.exitCode()).isEqualTo(7);
        assertThat(r.timedOut()).isFalse();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("oops\n");
    }

    @Test
    void theTimeoutKillsTheProcess() throws Exception {
        long t0 = System.nanoTime();
        CommandResult r = runner.run(Command.of("sleep", "30"), new ByteArrayOutputStream(), new ByteArrayOutputStream(), Duration.ofMillis(300));
        assertThat(r.timedOut()).isTrue();
        assertThat(r.exitCode()).isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void theTimeoutKillsTheWholeProcessTree() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        // The grandchild would outlive a kill of sh alone (and keep the output pipe open).
        CommandResult r = runner.run(Command.of("sh", "-c", "sleep 300 & echo $!; wait"), out, new ByteArrayOutputStream(),
                Duration.ofMillis(700));
        assertThat(r.timedOut()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
        long pid = Long.parseLong(out.toString(StandardCharsets.UTF_8).strip());
        assertGone(pid);
    }

    @Test
    void interruptingTheCallerKillsTheWholeProcessTree() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread caller = Thread.currentThread();
        Thread interrupter = new Thread(() -> {
            try {
                Thread.sleep(700);
            } catch (InterruptedException e) {
                return;
            }
            caller.interrupt();
        });
        interrupter.start();
        assertThatThrownBy(() -> runner.run(Command.of("sh", "-c", "sleep 300 & echo $!; wait"), out, new ByteArrayOutputStream(),
                Duration.ofSeconds(60))).isInstanceOf(InterruptedException.class);
        Thread.interrupted();
        interrupter.join();
        long pid = Long.parseLong(out.toString(StandardCharsets.UTF_8).strip());
        assertGone(pid);
    }

    private static void assertGone(long pid) throws InterruptedException {
        long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("grandchild %d still alive", pid).isFalse();
    }

    @Test
    void aMissingExecutableIsAnIOException() {
        assertThatThrownBy(() -> runner.run(Command.of("/nonexistent/bin/x"), new ByteArrayOutputStream(), new ByteArrayOutputStream(),
                Duration.ofSeconds(5))).isInstanceOf(IOException.class);
    }

    @Test
    void interruptingTheCallerKillsTheProcess() throws Exception {
        Thread caller = Thread.currentThread();
        Thread interrupter = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            caller.interrupt();
        });
        interrupter.start();
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> runner.run(Command.of("sleep", "30"), new ByteArrayOutputStream(), new ByteArrayOutputStream(),
                Duration.ofSeconds(60))).isInstanceOf(InterruptedException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        Thread.interrupted();
    }
}
