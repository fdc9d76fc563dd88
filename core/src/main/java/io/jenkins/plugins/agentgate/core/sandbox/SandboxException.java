package io.jenkins.plugins.agentgate.core.sandbox;

/**
 * The sandbox cannot be prepared or run: an unsafe mount, a refused plan, a missing image, a Docker engine
 * that is absent or not answering. The message is one line for people: what was wrong, what was expected.
 */
public class SandboxException extends Exception {
    private static final long serialVersionUID = 1L;

    public SandboxException(String message) {
        super(message);
    }

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
