package io.jenkins.plugins.agentgate.plugin.steps;

import io.jenkins.plugins.agentgate.core.approval.ApprovalStatus;
import io.jenkins.plugins.agentgate.core.profile.TaskTemplate;
import io.jenkins.plugins.agentgate.core.run.Approval;
import io.jenkins.plugins.agentgate.core.run.ApprovalGate;
import io.jenkins.plugins.agentgate.core.run.RunContext;
import io.jenkins.plugins.agentgate.plugin.approval.ApprovalQuestion;
import io.jenkins.plugins.agentgate.plugin.approval.ApprovalVote;
import io.jenkins.plugins.agentgate.plugin.approval.CoreApprovalEngine;
import io.jenkins.plugins.agentgate.plugin.approval.IdKeys;
import java.io.Serializable;
import java.time.Instant;
import java.util.List;

/**
 * The controller's approval answer, carried to the agent. It holds for exactly the plan the controller saw:
 * if the agent's own decision has another policy hash or prompt hash, the gate refuses the run.
 *
 * <p>When the controller asked core's engine, the question, the build's votes, the evaluation time and the frozen
 * id keys travel too: the agent repeats core's evaluation (same inputs, same answer) to hand its full status, with
 * every vote's record (counted, rejected, refused, stale, expired), to the evidence bundle. If the repeat does not
 * approve, the run is refused (fail closed).
 *
 * @param granted      whether the controller's engine approved
 * @param reason       the engine's reason
 * @param approvers    the approvers that counted
 * @param policyHash   the policy hash the approval is for (null when the controller's policy denied)
 * @param promptSha256 the prompt hash the approval is for
 * @param question     what was asked, or null when no engine was asked
 * @param votes        every vote of the build, oldest first
 * @param at           the controller's evaluation time (ISO-8601), or null
 * @param ids          the realm's id keys for this evaluation, or null
 */
record PreApproval(boolean granted, String reason, List<String> approvers, String policyHash, String promptSha256,
                   ApprovalQuestion question, List<ApprovalVote> votes, String at, IdKeys ids)
        implements ApprovalGate, Serializable {

    private static final long serialVersionUID = 2L;

    PreApproval {
        approvers = List.copyOf(approvers);
        votes = votes == null ? List.of() : List.copyOf(votes);
    }

    /** An answer without core's records (the controller's policy denied, or a test). */
    PreApproval(boolean granted, String reason, List<String> approvers, String policyHash, String promptSha256) {
        this(granted, reason, approvers, policyHash, promptSha256, null, List.of(), null, null);
    }

    @Override
    public Approval check(RunContext ctx) {
        return check(ctx, List.of());
    }

    /** As {@link #check(RunContext)}, with the catalog's templates the agent decided with. */
    Approval check(RunContext ctx, List<TaskTemplate> templates) {
        if (!ctx.plan().policyHash().equals(policyHash) || !ctx.promptSha256().equals(promptSha256)) {
            return Approval.refused(Messages.PreApproval_Mismatch(policyHash, ctx.plan().policyHash(), promptSha256,
                    ctx.promptSha256()));
        }
        ApprovalStatus status = null;
        if (question != null && at != null && ids != null) {
            status = new CoreApprovalEngine().status(ctx.plan(), templates, question, ctx.taskText(), votes, Instant.parse(at), ids);
            if (granted && !status.allowed()) {
                return new Approval(false, Messages.PreApproval_Differs(status.state().id(), status.message()), List.of(), status, null);
            }
        }
        if (!granted) {
            return new Approval(false, reason, List.of(), status, null);
        }
        if (status != null) {
            return new Approval(true, reason, approvers, status, null);
        }
        return approvers.isEmpty() && reason.isEmpty() ? Approval.notRequired() : Approval.granted(reason, approvers);
    }
}
