package io.jenkins.plugins.agentgate.cli;

import io.jenkins.plugins.agentgate.core.port.Command;
import io.jenkins.plugins.agentgate.core.port.CommandResult;
import io.jenkins.plugins.agentgate.core.port.CommandRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@link CommandRunner} over {@link ProcessBuilder}: the local front's way to run the docker client.
 * Environment values go into the child's environment only. Thread-safe: the sandbox runs
 * {@code docker start --attach} on one thread while others {@code docker exec}.
 */
public final class ProcessCommandRunner implements CommandRunner {
    private final java.util.Map<String, String> baseEnvironment;

    public ProcessCommandRunner() {
        this(java.util.Map.of());
    }

    /** @param baseEnvironment added to every child's environment, e.g. {@code DOCKER_HOST} for another engine */
    public ProcessCommandRunner(java.util.Map<String, String> baseEnvironment) {
        this.baseEnvironment = java.util.Map.copyOf(baseEnvironment);
    }

    @Override
    public CommandResult run(Command command, OutputStream stdout, OutputStream stderr, Duration timeout)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command.argv());
        pb.environment().putAll(baseEnvironment);
        pb.environment().putAll(command.environment());
        if (command.workingDir() != null) {
            pb.directory(command.workingDir().toFile());
        }
        if (command.stdin() == null) {
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        }
        long t0 = System.nanoTime();
        Process p = pb.start();
        Thread in = null;
        if (command.stdin() != null) {
            byte[] data = command.stdin();
            in = pump(() -> {
                try (OutputStream o = p.getOutputStream()) {
                    o.write(data);
                }
            }, "stdin");
        }
        Thread out = copy(p.getInputStream(), stdout, "stdout");
        Thread err = copy(p.getErrorStream(), stderr, "stderr");
        boolean finished;
        try {
            finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                killTree(p);
                p.waitFor(10, TimeUnit.SECONDS);
            }
            out.join(TimeUnit.SECONDS.toMillis(10));
            err.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            killTree(p);
            throw e;
        } finally {
            if (in != null) {
                in.interrupt();
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - t0);
        return new CommandResult(finished ? p.exitValue() : -1, !finished, elapsed);
    }

    /**
     * Kills the child and every process it started (the contract: nothing of the command outlives a timeout or an
     * interrupt). Descendants are listed before the parent dies, as they are re-parented afterwards.
     */
    static void killTree(Process p) {
        List<ProcessHandle> tree = p.descendants().toList();
        p.destroyForcibly();
        tree.forEach(ProcessHandle::destroyForcibly);
        // A child may have forked between listing and killing: one more sweep of what is still reachable.
        p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
    }

    private interface IoAction {
        void run() throws IOException;
    }

    private static Thread pump(IoAction action, String name) {
        Thread t = new Thread(() -> {
            try {
                action.run();
            } catch (IOException e) {
                // the child closed its end; nothing more to copy
            }
        }, "agentgate-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static Thread copy(InputStream from, OutputStream to, String name) {
        return pump(() -> {
            byte[] buf = new byte[16 * 1024];
            int n;
            try (from) {
                boolean sinkOk = true;
                while ((n = from.read(buf)) >= 0) {
                    if (n > 0 && sinkOk) {
                        try {
                            to.write(buf, 0, n);
                            to.flush();
                        } catch (IOException e) {
                            sinkOk = false; // keep draining so the child never blocks on a full pipe
                        }
                    }
                }
            }
        }, name);
    }
}
