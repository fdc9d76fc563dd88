package io.jenkins.plugins.agentgate.core.credentials;

import java.io.IOException;
import java.util.List;

/**
 * Runs a command inside the live sandbox as its (non-root) user, e.g. {@code docker exec -i CONTAINER argv...},
 * feeding {@code stdin}. The sandbox runtime adapts its own exec to this, so that credentials does not depend on
 * how the container is driven.
 */
@FunctionalInterface
public interface ContainerExec {

    /** Runs {@code argv} in the sandbox; {@code stdin} (may be empty) is written to it and closed. */
    Result exec(List<String> argv, byte[] stdin) throws IOException, InterruptedException;

    /** How the command ended; {@code stderr} is for error messages (it never contains stdin). */
    record Result(int exitCode, String stderr) {}
}
