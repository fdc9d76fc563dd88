package io.jenkins.plugins.agentgate.core.sandbox;

/** The container engine cannot be used at all: the client is not installed or the daemon does not answer. */
public final class SandboxUnavailableException extends SandboxException {
    private static final long serialVersionUID = 1L;

    public SandboxUnavailableException(String message) {
        super(message);
    }

    public SandboxUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
