package io.jenkins.plugins.agentgate.plugin.process;

import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.FilePath;
import hudson.Launcher;
import hudson.Proc;
import hudson.model.TaskListener;
import io.jenkins.plugins.agentgate.core.port.Command;
import io.jenkins.plugins.agentgate.core.port.CommandResult;
import io.jenkins.plugins.agentgate.core.port.CommandRunner;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Core's {@link CommandRunner} on a Jenkins {@link Launcher}: the command runs where the launcher points,
 * i.e. on the build agent (this is how the sandbox's container client runs next to the workspace).
 *
 * <p>Secret handling: {@link Command#environment()} goes to the child through {@code envs(...)} only — over
 * the agent channel, into the process environment — never onto the command line; and the launcher is
 * {@code quiet}, so the command line itself is not echoed into the build log either. The child also
 * inherits the agent's own environment (PATH, DOCKER_HOST, …), as any Launcher-started process does.
 */
public final class LauncherCommandRunner implements CommandRunner {

    private final Launcher launcher;
    private final TaskListener listener;

    /**
     * @param launcher where commands run (from the step context: the agent of the enclosing {@code node})
     * @param listener where the launcher reports problems of its own, e.g. that a timeout killed the command
     */
    public LauncherCommandRunner(@NonNull Launcher launcher, @NonNull TaskListener listener) {
        this.launcher = Objects.requireNonNull(launcher, "launcher");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public CommandResult run(Command command, OutputStream stdout, OutputStream stderr, Duration timeout)
            throws IOException, InterruptedException {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(stdout, "stdout");
        Objects.requireNonNull(stderr, "stderr");
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: '" + timeout + "' is not valid; expected a positive duration");
        }
        if (command.argv().isEmpty()) {
            throw new IllegalArgumentException("argv: '[]' is not valid; expected an executable and its arguments");
        }
        Launcher.ProcStarter starter = launcher.launch()
                .cmds(command.argv())
                .envs(command.environment())
                .stdout(stdout)
                .stderr(stderr)
                .quiet(true);
        if (command.workingDir() != null) {
            starter.pwd(new FilePath(launcher.getChannel(), command.workingDir().toString()));
        }
        if (command.stdin() != null) {
            starter.stdin(new ByteArrayInputStream(command.stdin()));
        }
        long limitMillis = ceilMillis(timeout);
        long started = System.nanoTime();
        Proc proc = starter.start();
        int exit;
        try {
            // Proc kills the process itself when the time is up (and says so on the listener).
            exit = proc.joinWithTimeout(limitMillis, TimeUnit.MILLISECONDS, listener);
        } catch (InterruptedException e) {
            // The port promises the process is gone before the interruption propagates.
            proc.kill();
            throw e;
        }
        long elapsed = System.nanoTime() - started;
        // joinWithTimeout does not say whether it killed; a run that used up its whole budget counts as
        // timed out either way (it may have been killed a moment before exiting on its own).
        boolean timedOut = elapsed >= TimeUnit.MILLISECONDS.toNanos(limitMillis);
        return new CommandResult(timedOut ? -1 : exit, timedOut, Duration.ofNanos(elapsed));
    }

    /** Whole milliseconds, rounded up, so that the kill never comes before the budget is used up. */
    private static long ceilMillis(Duration d) {
        try {
            long nanos = d.toNanos();
            return Math.max(1, nanos / 1_000_000 + (nanos % 1_000_000 == 0 ? 0 : 1));
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 1_000_000; // centuries; toNanos of it must not overflow
        }
    }
}
