package io.jenkins.plugins.agentgate.plugin.approval;

/** The approval states of core's engine, as the plugin acts on them. */
public enum ApprovalState {
    /** Enough approvals for this digest; the run may start now. */
    APPROVED(true),
    /** Waiting for (more) approvals. */
    PENDING(false),
    /** Someone allowed to approve rejected it. */
    REJECTED(true),
    /** The approvals are older than the profile's expiry. */
    EXPIRED(true),
    /** Approvals were given for another digest; the request needs approving again. */
    STALE(false),
    /** Approved, but now is outside every allowed window. */
    OUTSIDE_WINDOW(false),
    /** Approved, but now is inside a blackout window. */
    IN_BLACKOUT(false);

    private final boolean settles;

    ApprovalState(boolean settles) {
        this.settles = settles;
    }

    /** Whether a waiting {@code agentApprove} ends on this state (otherwise it keeps waiting). */
    public boolean settles() {
        return settles;
    }
}
