package io.jenkins.plugins.agentgate.core.credentials;

/** A lease could not be issued or injected. The message names the credential id, never its value. */
public class CredentialException extends Exception {
    private final String credentialId;

    public CredentialException(String credentialId, String message) {
        super(message);
        this.credentialId = credentialId;
    }

    public CredentialException(String credentialId, String message, Throwable cause) {
        super(message, cause);
        this.credentialId = credentialId;
    }

    public String credentialId() {
        return credentialId;
    }
}
