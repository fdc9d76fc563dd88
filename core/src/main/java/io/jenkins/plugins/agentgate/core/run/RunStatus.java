package io.jenkins.plugins.agentgate.core.run;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How a governed run ended, from the pipeline's point of view. */
public enum RunStatus {
    /** The agent ran and exited 0. */
    SUCCEEDED,
    /** The agent ran and failed: non-zero exit, timeout, killed at the memory limit. */
    AGENT_FAILED,
    /** The policy engine denied the request; nothing ran. */
    DENIED,
    /** A required approval is missing or was refused; nothing ran. */
    APPROVAL_REFUSED,
    /** The sandbox or another runtime part failed (engine missing, unsafe mount, daemon lost, interrupted). */
    RUNTIME_ERROR;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
