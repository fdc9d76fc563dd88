package io.jenkins.plugins.agentgate.core.port;

/** A credential could not be resolved. The message names the id and where it was looked for, never a value. */
public class SecretSourceException extends Exception {
    private final String credentialId;

    public SecretSourceException(String credentialId, String message) {
        super(message);
        this.credentialId = credentialId;
    }

    public SecretSourceException(String credentialId, String message, Throwable cause) {
        super(message, cause);
        this.credentialId = credentialId;
    }

    public String credentialId() {
        return credentialId;
    }
}
