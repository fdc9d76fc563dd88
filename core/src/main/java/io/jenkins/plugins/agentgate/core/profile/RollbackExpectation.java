package io.jenkins.plugins.agentgate.core.profile;

import com.fasterxml.jackson.annotation.JsonValue;

/** What the evidence must hold to undo a run. */
public enum RollbackExpectation {
    /** No rollback reference is expected (read-only work). */
    NONE("none"),
    /** A rollback reference is recorded when the workspace allows it; its absence is noted, not fatal. */
    BEST_EFFORT("best-effort"),
    /** The evidence is incomplete without a rollback reference (revert patch or pre-run snapshot). */
    REQUIRED("required");

    private final String id;

    RollbackExpectation(String id) {
        this.id = id;
    }

    @JsonValue
    public String id() {
        return id;
    }
}
