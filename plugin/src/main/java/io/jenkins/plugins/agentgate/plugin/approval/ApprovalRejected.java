package io.jenkins.plugins.agentgate.plugin.approval;

import jenkins.model.CauseOfInterruption;

/** Why a build stopped at {@code agentApprove}: someone rejected the request (named), or it expired. */
public final class ApprovalRejected extends CauseOfInterruption {

    private static final long serialVersionUID = 1L;

    private final String requestId;
    private final String by;
    private final String reason;

    public ApprovalRejected(String requestId, String by, String reason) {
        this.requestId = requestId;
        this.by = by;
        this.reason = reason;
    }

    public String getBy() {
        return by;
    }

    @Override
    public String getShortDescription() {
        return by == null ? Messages.ApprovalRejected_Ended(requestId, reason) : Messages.ApprovalRejected_By(requestId, by, reason);
    }
}
