package io.jenkins.plugins.agentgate.core.evidence;

/** How a governed run ended; every outcome leaves a bundle. */
public enum Outcome {
    SUCCEEDED,
    AGENT_FAILED,
    TIMEOUT,
    POLICY_DENIED,
    APPROVAL_MISSING,
    RUNTIME_ERROR;

    /** Whether the sandbox was started, so image, model, exit code and workspace capture are expected. */
    public boolean sandboxRan() {
        return this == SUCCEEDED || this == AGENT_FAILED || this == TIMEOUT;
    }
}
