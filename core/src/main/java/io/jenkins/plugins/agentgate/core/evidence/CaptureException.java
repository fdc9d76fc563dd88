package io.jenkins.plugins.agentgate.core.evidence;

/** The workspace could not be captured; the message says what failed and what was expected. */
public class CaptureException extends java.io.IOException {
    public CaptureException(String message) {
        super(message);
    }

    public CaptureException(String message, Throwable cause) {
        super(message, cause);
    }
}
