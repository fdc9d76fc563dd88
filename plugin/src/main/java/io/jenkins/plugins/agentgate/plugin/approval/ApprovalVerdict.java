package io.jenkins.plugins.agentgate.plugin.approval;

import java.io.Serializable;
import java.util.List;

/**
 * The engine's answer for one request.
 *
 * @param state     the state
 * @param reason    one line for people: which rule, who approved, or what is missing
 * @param approvers the approvers whose approvals count (for the evidence)
 */
public record ApprovalVerdict(ApprovalState state, String reason, List<String> approvers) implements Serializable {

    private static final long serialVersionUID = 1L;

    public ApprovalVerdict {
        approvers = approvers == null ? List.of() : List.copyOf(approvers);
        reason = reason == null ? "" : reason;
    }
}
