package io.jenkins.plugins.agentgate.core.run;

import java.util.List;

/**
 * An approval gate's answer.
 *
 * @param granted   whether the run may proceed
 * @param reason    one line: why (the rule and who approved, or what is missing)
 * @param approvers identities of the approvers (empty when no approval was needed)
 */
public record Approval(boolean granted, String reason, List<String> approvers) {
    public Approval {
        approvers = List.copyOf(approvers);
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
