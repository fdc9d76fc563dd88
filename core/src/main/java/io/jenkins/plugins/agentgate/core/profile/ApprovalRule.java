package io.jenkins.plugins.agentgate.core.profile;

import java.time.Duration;
import java.util.List;

/**
 * The approval rule of a profile (the data; the engine lives in the approval package).
 *
 * @param mode             none, template, owner or dual
 * @param approvers        who may approve (owner set; for dual control the pool of approvers)
 * @param distinctGroups   dual control: the two approvers must come from two distinct groups of the set
 * @param expiry           how long an approval counts
 * @param windows          when an approved action may start (empty: any time)
 * @param blackouts        when it may never start
 * @param allowAdminBypass whether an administrator may approve alone; recorded as a bypass
 */
public record ApprovalRule(ApprovalMode mode, Approvers approvers, boolean distinctGroups, Duration expiry,
                           List<TimeWindow> windows, List<Blackout> blackouts, boolean allowAdminBypass) {
    public ApprovalRule {
        approvers = approvers == null ? Approvers.none() : approvers;
        windows = windows == null ? List.of() : List.copyOf(windows);
        blackouts = blackouts == null ? List.of() : List.copyOf(blackouts);
    }

    public static ApprovalRule none() {
        return new ApprovalRule(ApprovalMode.NONE, Approvers.none(), false, Duration.ofHours(24), List.of(), List.of(), false);
    }
}
