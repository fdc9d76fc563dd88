package io.jenkins.plugins.agentgate.core.approval;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a request stands. Only {@link #APPROVED} lets the run start. */
public enum ApprovalState {
    APPROVED,
    /** More approvals are needed; the status says which. */
    PENDING,
    /** A valid rejection refused it. */
    REJECTED,
    /** The approvals it had are older than the rule's expiry. */
    EXPIRED,
    /** The approvals it had were for an earlier version of the request. */
    STALE,
    /** Approved, but it may start only inside a window; the status gives the next opening. */
    OUTSIDE_WINDOW,
    /** Approved, but a blackout is in force; the status gives the next opening. */
    IN_BLACKOUT;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
