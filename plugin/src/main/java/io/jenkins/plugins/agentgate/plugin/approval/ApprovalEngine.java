package io.jenkins.plugins.agentgate.plugin.approval;

import hudson.ExtensionPoint;
import io.jenkins.plugins.agentgate.core.policy.RunPlan;
import io.jenkins.plugins.agentgate.core.profile.TaskTemplate;
import java.time.Instant;
import java.util.List;

/**
 * The plugin's view of an approvals engine. The plugin records votes and shows questions; every rule
 * (owner set, requester excluded, dual control with distinct people and groups, windows, blackouts, expiry,
 * digest binding, admin bypass only where the profile allows it) is the engine's.
 *
 * <p>{@link CoreApprovalEngine} maps this onto core's {@code approval} package and is used unless another
 * {@code @Extension} of this type is installed.
 */
public interface ApprovalEngine extends ExtensionPoint {

    /**
     * The digest an approval binds to; any change to what is approved changes it.
     *
     * @param plan     the plan the question was made from (class, effective profile, policy hash, grants, requester)
     * @param question what the approver is shown
     */
    String digest(RunPlan plan, ApprovalQuestion question);

    /**
     * The state of {@code question} given every vote recorded in the build.
     *
     * @param plan      the plan now in force (its effective profile's approval rule applies)
     * @param templates the catalog's pre-approved task templates
     * @param question  what is asked now (its digest is compared with each vote's)
     * @param taskText  the task text (templates match on it)
     * @param ledger    every vote recorded in the build, oldest first
     * @param now       the current time (windows, blackouts, expiry)
     * @param ids       the security realm's id comparison
     */
    ApprovalVerdict evaluate(RunPlan plan, List<TaskTemplate> templates, ApprovalQuestion question, String taskText,
                             List<ApprovalVote> ledger, Instant now, IdMatcher ids);
}
