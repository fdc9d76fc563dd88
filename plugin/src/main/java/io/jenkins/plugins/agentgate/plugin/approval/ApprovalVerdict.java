package io.jenkins.plugins.agentgate.plugin.approval;

import java.io.Serializable;
import java.util.List;

/**
 * The engine's answer for one request.
 *
 * @param state     the state
 * @param reason    one line for people: which rule, who approved, or what is missing
 * @param approvers the approvers whose approvals count (for the evidence)
 * @param history   the engine's record of every vote and finding, one line each (counted, rejected, refused with
 *                  the reason, stale, expired, window), for the build log and the evidence
 */
public record ApprovalVerdict(ApprovalState state, String reason, List<String> approvers, List<String> history)
        implements Serializable {

    private static final long serialVersionUID = 1L;

    public ApprovalVerdict {
        approvers = approvers == null ? List.of() : List.copyOf(approvers);
        reason = reason == null ? "" : reason;
        history = history == null ? List.of() : List.copyOf(history);
    }

    public ApprovalVerdict(ApprovalState state, String reason, List<String> approvers) {
        this(state, reason, approvers, List.of());
    }
}
