package io.jenkins.plugins.agentgate.plugin.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.jenkins.plugins.agentgate.core.port.Command;
import io.jenkins.plugins.agentgate.core.port.CommandResult;
import io.jenkins.plugins.agentgate.core.port.CommandRunner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What core's {@link CommandRunner} port promises, checked against a real implementation with real
 * processes. Subclasses supply the runner and whatever it logs on its own (for a Launcher: the build log).
 * Linux only (uses /bin/sh and /proc), as the sandbox itself is.
 */
abstract class CommandRunnerContract {

    private static final Duration GENEROUS = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    /** The runner under test. */
    protected abstract CommandRunner runner();

    /** Everything the runner wrote on its own account so far (e.g. the task listener); "" when none. */
    protected abstract String runnerLog();

    private static final class Captured {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandResult result;

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    private Captured run(Command command, Duration timeout) throws Exception {
        Captured c = new Captured();
        c.result = runner().run(command, c.out, c.err, timeout);
        return c;
    }

    private static Command sh(String script, Map<String, String> env, Path dir, byte[] stdin) {
        return new Command(List.of("/bin/sh", "-c", script), env, dir, stdin);
    }

    @Test
    void exitCodeIsPassedThrough() throws Exception {
        Captured c = run(sh("exit 7", Map.of(), null, null), GENEROUS);
        assertEquals(7, c.result.exitCode());
        assertFalse(c.result.timedOut());
        assertEquals(0, run(Command.of("/bin/true"), GENEROUS).result.exitCode());
    }

    @Test
    void stdoutAndStderrArriveSeparately() throws Exception {
        Captured c = run(sh("printf to-out; printf to-err >&2", Map.of(), null, null), GENEROUS);
        assertEquals("to-out", c.out());
        assertEquals("to-err", c.err());
    }

    @Test
    void environmentReachesTheChildButNeverItsCommandLineOrTheLog() throws Exception {
        String secret = "s3cr3t-" + UUID.randomUUID();
        // The child prints the variable, then its own command line and its parent's (the runner's process,
        // when there is one in between) so that a value smuggled into argv would show up on stderr.
        Captured c = run(sh("printf %s \"$AG_CONTRACT_SECRET\"; tr '\\0' ' ' < /proc/$$/cmdline >&2;"
                        + " tr '\\0' ' ' < /proc/$PPID/cmdline >&2",
                Map.of("AG_CONTRACT_SECRET", secret), null, null), GENEROUS);
        assertEquals(0, c.result.exitCode(), c.err());
        assertEquals(secret, c.out());
        assertTrue(c.err().contains("/bin/sh"), "the command line was read: " + c.err());
        assertFalse(c.err().contains(secret), "secret on a command line: " + c.err());
        assertFalse(runnerLog().contains(secret), "secret in the runner's log: " + runnerLog());
    }

    @Test
    void commandLineIsNotEchoedIntoTheLog() throws Exception {
        String marker = "marker-" + UUID.randomUUID();
        run(sh("true " + marker, Map.of(), null, null), GENEROUS);
        assertFalse(runnerLog().contains(marker), "command line echoed: " + runnerLog());
    }

    @Test
    void stdinIsDeliveredThenClosed() throws Exception {
        byte[] input = ("line one\nline two " + UUID.randomUUID() + "\n").getBytes(StandardCharsets.UTF_8);
        // cat only ends when stdin is closed; a runner that forgot to close it would run into the timeout.
        Captured c = run(new Command(List.of("/bin/cat"), Map.of(), null, input), GENEROUS);
        assertEquals(0, c.result.exitCode());
        assertEquals(new String(input, StandardCharsets.UTF_8), c.out());
    }

    @Test
    void workingDirectoryIsHonoured() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("work dir"));
        Captured c = run(sh("pwd -P", Map.of(), dir, null), GENEROUS);
        assertEquals(dir.toRealPath().toString(), c.out().trim());
    }

    /**
     * The shell forks {@code sleep}: killing only the shell would leave its child holding stdout open and
     * the runner waiting for it. A runner must take down the whole process tree (Jenkins' Proc does).
     */
    @Test
    void timeoutKillsTheProcessTreeAndSaysSo() throws Exception {
        long start = System.nanoTime();
        Captured c = run(sh("sleep 30", Map.of(), null, null), Duration.ofMillis(500));
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(c.result.timedOut());
        assertEquals(-1, c.result.exitCode());
        assertTrue(c.result.elapsed().compareTo(Duration.ofMillis(500)) >= 0, "elapsed " + c.result.elapsed());
        assertTrue(elapsedMs < 20_000, "process tree not killed in time: " + elapsedMs + " ms");
    }

    @Test
    void aQuickCommandIsNotReportedAsTimedOut() throws Exception {
        Captured c = run(Command.of("/bin/true"), Duration.ofSeconds(30));
        assertFalse(c.result.timedOut());
        assertTrue(c.result.elapsed().compareTo(Duration.ofSeconds(30)) < 0);
    }

    @Test
    void aMissingExecutableIsAnIOException() {
        String missing = "/nonexistent/agentgate-contract-" + UUID.randomUUID();
        assertThrows(IOException.class, () -> run(Command.of(missing), GENEROUS));
    }

    @Test
    void interruptionKillsTheProcessFirst() throws Exception {
        assumeTrue(Files.isDirectory(Paths.get("/proc/self")), "needs /proc");
        Path pidFile = tmp.resolve("pid");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                run(sh("echo $$ > '" + pidFile + "'; exec sleep 30", Map.of(), null, null), GENEROUS);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        caller.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while ((!Files.exists(pidFile) || Files.size(pidFile) == 0) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(pidFile), "the command did not start");
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        caller.interrupt();
        caller.join(TimeUnit.SECONDS.toMillis(20));
        assertFalse(caller.isAlive(), "run() did not return after interruption");
        assertNotNull(thrown.get());
        assertTrue(thrown.get() instanceof InterruptedException, "got " + thrown.get());
        CompletableFuture<Boolean> gone = ProcessHandle.of(pid).map(ProcessHandle::onExit)
                .map(f -> f.thenApply(p -> true)).orElse(CompletableFuture.completedFuture(true));
        assertTrue(gone.get(20, TimeUnit.SECONDS), "process " + pid + " still alive after interruption");
    }
}
