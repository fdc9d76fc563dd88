package io.jenkins.plugins.agentgate.core.sandbox;

import io.jenkins.plugins.agentgate.core.port.Command;
import io.jenkins.plugins.agentgate.core.port.CommandResult;
import io.jenkins.plugins.agentgate.core.port.CommandRunner;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One created container. {@link #run} starts it attached and blocks until it ends; meanwhile other threads
 * may {@link #exec} into it (the credential broker writes and removes secret files under
 * {@link SandboxSpec#SECRETS_DIR} that way, the secret on stdin). The container is removed at the end of
 * {@link #run} and again, idempotently, by {@link #close}.
 */
public final class SandboxSession implements AutoCloseable {
    private final DockerCli docker;
    private final Clock clock;
    private final SandboxSpec spec;
    private final String containerId;
    private final ImageInfo image;
    private final String engineVersion;
    private final List<String> reaped;
    private volatile boolean removed;
    private volatile String removeError = "";

    SandboxSession(DockerCli docker, Clock clock, SandboxSpec spec, String containerId, ImageInfo image,
                   String engineVersion, List<String> reaped) {
        this.docker = docker;
        this.clock = clock;
        this.spec = spec;
        this.containerId = containerId;
        this.image = image;
        this.engineVersion = engineVersion;
        this.reaped = List.copyOf(reaped);
    }

    public String containerId() {
        return containerId;
    }

    public SandboxSpec spec() {
        return spec;
    }

    public ImageInfo image() {
        return image;
    }

    public String engineVersion() {
        return engineVersion;
    }

    /** Orphans the preflight reaper removed before this container was created. */
    public List<String> reaped() {
        return reaped;
    }

    /**
     * Starts the container attached and waits for it, at most the spec's timeout.
     *
     * @param sink   where the agent's stdout and stderr go (the first {@code maxOutputBytes}); not closed
     * @param filter wraps each output stream before the cap, e.g. a masking stream; called once for stdout and
     *               once for stderr; {@code UnaryOperator.identity()} for none. Its streams are closed at the end.
     */
    public SandboxResult run(OutputStream sink, UnaryOperator<OutputStream> filter) {
        CappedOutput cap = new CappedOutput(sink, spec.maxOutputBytes());
        OutputStream out = filter.apply(cap.stream());
        OutputStream err = filter.apply(cap.stream());
        Instant start = clock.instant();
        Termination termination;
        Integer exitCode = null;
        String message = "";
        boolean interrupted = false;
        try {
            CommandResult r = docker.runner.run(new Command(docker.args.start(containerId), Map.of(), null, null), out, err,
                    spec.timeout());
            if (r.timedOut()) {
                termination = Termination.TIMEOUT;
                message = "the agent ran past the timeout of " + spec.timeout() + "; the container was killed";
            } else if (r.exitCode() == 0) {
                termination = Termination.EXITED;
                exitCode = 0;
            } else {
                // A non-zero status is either the agent's or the client's (daemon gone, attach lost): ask the engine.
                DockerCli.Output st = docker.run(docker.args.state(containerId));
                String[] f = st.stdout().strip().split(" ");
                if (!st.ok() || f.length != 3) {
                    termination = Termination.RUNTIME_ERROR;
                    message = "lost the container while it ran (docker start exited " + r.exitCode() + "; state: "
                            + st.firstErrorLine() + ")";
                } else if (!f[0].equals("exited") && !f[0].equals("dead")) {
                    termination = Termination.RUNTIME_ERROR;
                    message = "the docker client stopped (exit " + r.exitCode() + ") while the container was " + f[0];
                } else if (f[2].equals("true")) {
                    termination = Termination.OOM_KILLED;
                    exitCode = Integer.parseInt(f[1]);
                    message = "the agent was killed at the memory limit of " + spec.memoryBytes() + " bytes";
                } else {
                    termination = Termination.EXITED;
                    exitCode = Integer.parseInt(f[1]);
                }
            }
        } catch (InterruptedException e) {
            interrupted = true;
            termination = Termination.INTERRUPTED;
            message = "the run was interrupted; the container was removed";
        } catch (SandboxUnavailableException e) {
            termination = Termination.RUNTIME_ERROR;
            message = e.getMessage();
        } catch (IOException e) {
            termination = Termination.RUNTIME_ERROR;
            message = "cannot run the docker client: " + e.getMessage();
        } catch (RuntimeException e) {
            termination = Termination.RUNTIME_ERROR;
            message = "sandbox failure: " + e;
        } finally {
            closeQuietly(out);
            closeQuietly(err);
        }
        Instant end = clock.instant();
        remove();
        if (!removed) {
            message = (message.isEmpty() ? "" : message + "; ") + "container " + containerId + " could not be removed ("
                    + removeError + "); the reaper removes it at a later run";
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return new SandboxResult(containerId, termination, exitCode, start, end, Duration.between(start, end), cap.seen(),
                cap.kept(), cap.truncated(), image.id(), image.repoDigests(), engineVersion, removed, message);
    }

    /**
     * Runs {@code argv} inside the running container as the sandbox user, with {@code stdin} as its input.
     * Secret values belong in {@code stdin}, never in {@code argv}. Safe to call from another thread while
     * {@link #run} blocks; fails when the container is not running (see {@link #awaitRunning}).
     */
    public ExecResult exec(List<String> argv, byte[] stdin, Duration timeout) throws SandboxException, InterruptedException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        CommandRunner runner = docker.runner;
        try {
            CommandResult r = runner.run(new Command(docker.args.exec(containerId, spec.uid(), spec.gid(), argv), Map.of(), null,
                    stdin == null ? new byte[0] : stdin), out, err, timeout);
            if (r.timedOut()) {
                throw new SandboxException("exec in container " + containerId + " timed out after " + timeout);
            }
            return new ExecResult(r.exitCode(), out.toByteArray(), err.toByteArray());
        } catch (IOException e) {
            throw new SandboxException("cannot run docker exec: " + e.getMessage(), e);
        }
    }

    /** Waits (polling the engine, bounded by {@code max}) until the container is running; false if it never was. */
    public boolean awaitRunning(Duration max) throws SandboxException, InterruptedException {
        Instant until = clock.instant().plus(max);
        while (clock.instant().isBefore(until)) {
            DockerCli.Output st = docker.run(docker.args.state(containerId));
            if (st.ok()) {
                String status = st.stdout().strip().split(" ")[0];
                if (status.equals("running")) {
                    return true;
                }
                if (status.equals("exited") || status.equals("dead")) {
                    return false;
                }
            } else {
                return false;
            }
            Thread.sleep(20);
        }
        return false;
    }

    /** Whether the container is gone (removed by us). */
    public boolean removed() {
        return removed;
    }

    private void remove() {
        if (removed) {
            return;
        }
        boolean wasInterrupted = Thread.interrupted(); // cleanup must run even for an interrupted caller
        try {
            DockerCli.Output rm = docker.run(docker.args.removeForce(List.of(containerId)));
            removed = rm.ok() || rm.stderr().contains("No such container");
            removeError = removed ? "" : rm.firstErrorLine();
        } catch (SandboxException e) {
            removeError = e.getMessage();
        } catch (InterruptedException e) {
            wasInterrupted = true;
            removeError = "interrupted";
        } finally {
            if (wasInterrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        remove();
    }

    private static void closeQuietly(OutputStream s) {
        try {
            s.close();
        } catch (IOException e) {
            // the sink's own failure does not change how the run ended
        }
    }
}
