package io.jenkins.plugins.agentgate.core.port;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;

/**
 * Runs one external command (here: the container client) to completion. The CLI implements it with
 * ProcessBuilder; the Jenkins plugin with a Launcher on the build agent. Implementations must pass
 * {@link Command#environment()} through the child's environment only — never on its command line.
 */
public interface CommandRunner {

    /**
     * Runs {@code command}, copying its stdout and stderr to the given streams as they arrive.
     * When {@code timeout} passes first, the process is killed and the result says so.
     *
     * @throws IOException when the command cannot be started (e.g. the executable is missing)
     * @throws InterruptedException when the calling thread is interrupted; the process is killed first
     */
    CommandResult run(Command command, OutputStream stdout, OutputStream stderr, Duration timeout)
            throws IOException, InterruptedException;
}
