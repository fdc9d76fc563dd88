package io.jenkins.plugins.agentgate.plugin.approval;

import jenkins.model.CauseOfInterruption;

/** Why a build stopped at {@code agentApprove}: nobody settled the request before its timeout. */
public final class ApprovalTimedOut extends CauseOfInterruption {

    private static final long serialVersionUID = 1L;

    private final String requestId;
    private final String timeout;
    private final String state;

    public ApprovalTimedOut(String requestId, String timeout, String state) {
        this.requestId = requestId;
        this.timeout = timeout;
        this.state = state;
    }

    @Override
    public String getShortDescription() {
        return Messages.ApprovalTimedOut_Description(requestId, timeout, state);
    }
}
