package io.jenkins.plugins.agentgate.plugin.approval;

import hudson.ExtensionPoint;
import io.jenkins.plugins.agentgate.core.profile.ApprovalRule;
import java.time.Instant;
import java.util.List;

/**
 * The plugin's view of core's approvals engine. The plugin records votes and shows questions; every rule
 * (owner set, requester excluded, dual control with distinct people and groups, windows, blackouts, expiry,
 * digest binding, admin bypass only where the profile allows it) is the engine's.
 *
 * <p>Implemented by one {@code @Extension} that maps onto core's {@code approval} package:
 * {@code digest} → the {@code ApprovalRequest} digest; {@code evaluate} → the engine's
 * {@code evaluate(rule, request, ledger, now, idStrategy)}. Without one, {@link NotConnectedApprovalEngine}
 * fails closed.
 */
public interface ApprovalEngine extends ExtensionPoint {

    /** The digest an approval binds to; any change to the question changes it. */
    String digest(ApprovalQuestion question);

    /**
     * The state of {@code question} given every vote recorded in the build.
     *
     * @param rule     the effective profile's approval rule
     * @param question what is asked now (its digest is compared with each vote's)
     * @param ledger   every vote recorded in the build, oldest first
     * @param now      the current time (windows, blackouts, expiry)
     * @param ids      the security realm's id comparison
     */
    ApprovalVerdict evaluate(ApprovalRule rule, ApprovalQuestion question, List<ApprovalVote> ledger, Instant now, IdMatcher ids);
}
