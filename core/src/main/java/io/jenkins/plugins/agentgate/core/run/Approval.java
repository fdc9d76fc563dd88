package io.jenkins.plugins.agentgate.core.run;

import io.jenkins.plugins.agentgate.core.approval.ApprovalStatus;
import java.util.List;

/**
 * An approval gate's answer.
 *
 * @param granted     whether the run may proceed
 * @param reason      one line: why (the rule and who approved, or what is missing)
 * @param approvers   identities of the approvers (empty when no approval was needed)
 * @param status      the approvals engine's full answer (state, digest, records for the evidence), or null when no
 *                    engine was asked
 * @param requestFile the request file left for approvers when the run may not start, else null
 */
public record Approval(boolean granted, String reason, List<String> approvers, ApprovalStatus status, String requestFile) {
    public Approval {
        approvers = List.copyOf(approvers);
    }

    public Approval(boolean granted, String reason, List<String> approvers) {
        this(granted, reason, approvers, null, null);
    }

    public static Approval notRequired() {
        return new Approval(true, "no approval required", List.of());
    }

    public static Approval granted(String reason, List<String> approvers) {
        return new Approval(true, reason, approvers);
    }

    public static Approval refused(String reason) {
        return new Approval(false, reason, List.of());
    }
}
