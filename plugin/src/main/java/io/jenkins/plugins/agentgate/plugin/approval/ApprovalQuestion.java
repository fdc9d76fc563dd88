package io.jenkins.plugins.agentgate.plugin.approval;

import io.jenkins.plugins.agentgate.core.json.Digests;
import io.jenkins.plugins.agentgate.core.policy.RunPlan;
import io.jenkins.plugins.agentgate.core.profile.Values;
import io.jenkins.plugins.agentgate.plugin.request.RequestFields;
import java.io.Serializable;
import java.util.List;

/**
 * What an approver is asked to approve: exactly the fields core's approval request binds into its digest.
 * Built by the plugin from core's plan (never from what the model says).
 *
 * @param executionClass   class id (draft, delivery, privileged)
 * @param profile          effective profile id
 * @param policyHash       the plan's policy hash
 * @param promptSha256     SHA-256 (hex) of the task text
 * @param diffSummary      diff summary as given by the pipeline, or null
 * @param credentialScopes credential grants as {@code id (mode, ttl)}, in plan order
 * @param plannedAction    what the run will do, as given by the pipeline, or null
 * @param requester        who asked for the run (excluded from approving by core's rules)
 */
public record ApprovalQuestion(String executionClass, String profile, String policyHash, String promptSha256,
                               String diffSummary, List<String> credentialScopes, String plannedAction, String requester)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public ApprovalQuestion {
        credentialScopes = credentialScopes == null ? List.of() : List.copyOf(credentialScopes);
    }

    /** The question for an allowed plan and the request it came from. */
    public static ApprovalQuestion of(RunPlan plan, RequestFields fields) {
        return new ApprovalQuestion(plan.executionClass().id(), plan.effective().id(), plan.policyHash(),
                Digests.sha256Hex(fields.taskText()), fields.diffSummary(),
                plan.credentials().stream().map(g -> g.id() + " (" + g.mode().id() + ", " + Values.format(g.ttl()) + ")").toList(),
                fields.plannedAction(), fields.requester());
    }
}
