package io.jenkins.plugins.agentgate.plugin.steps;

import io.jenkins.plugins.agentgate.core.run.Approval;
import io.jenkins.plugins.agentgate.core.run.ApprovalGate;
import io.jenkins.plugins.agentgate.core.run.RunContext;
import java.io.Serializable;
import java.util.List;

/**
 * The controller's approval answer, carried to the agent. It holds for exactly the plan the controller saw:
 * if the agent's own decision has another policy hash or prompt hash, the gate refuses the run.
 *
 * @param granted      whether core's engine approved
 * @param reason       the engine's reason
 * @param approvers    the approvers that counted
 * @param policyHash   the policy hash the approval is for (null when the controller's policy denied)
 * @param promptSha256 the prompt hash the approval is for
 */
record PreApproval(boolean granted, String reason, List<String> approvers, String policyHash, String promptSha256)
        implements ApprovalGate, Serializable {

    private static final long serialVersionUID = 1L;

    PreApproval {
        approvers = List.copyOf(approvers);
    }

    @Override
    public Approval check(RunContext ctx) {
        if (!ctx.plan().policyHash().equals(policyHash) || !ctx.promptSha256().equals(promptSha256)) {
            return Approval.refused(Messages.PreApproval_Mismatch(policyHash, ctx.plan().policyHash(), promptSha256,
                    ctx.promptSha256()));
        }
        if (!granted) {
            return Approval.refused(reason);
        }
        return approvers.isEmpty() && reason.isEmpty() ? Approval.notRequired() : Approval.granted(reason, approvers);
    }
}
