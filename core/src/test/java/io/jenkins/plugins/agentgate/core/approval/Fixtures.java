package io.jenkins.plugins.agentgate.core.approval;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import io.jenkins.plugins.agentgate.core.policy.CredentialGrant;
import io.jenkins.plugins.agentgate.core.profile.ApprovalMode;
import io.jenkins.plugins.agentgate.core.profile.ApprovalRule;
import io.jenkins.plugins.agentgate.core.profile.Approvers;
import io.jenkins.plugins.agentgate.core.profile.Blackout;
import io.jenkins.plugins.agentgate.core.profile.ProfileRef;
import io.jenkins.plugins.agentgate.core.profile.TimeWindow;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Requests, rules and ledger entries for the approval tests. */
final class Fixtures {
    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z"); // a Wednesday
    static final String PROMPT = "Rotate the staging database password";

    private Fixtures() {}

    static ApprovalRequest request(ExecutionClass c, String requester) {
        return new ApprovalRequest(c, new ProfileRef(c.id() + "-default", 1, "sha256:" + "a".repeat(64)),
                ApprovalRequest.promptHashOf(PROMPT), null,
                List.of(new CredentialGrant("db-admin", Duration.ofMinutes(10), InjectionMode.FILE)),
                "rotate the staging DB password and update the secret store", requester, T0);
    }

    static ApprovalRule owner(List<String> users, List<String> groups) {
        return new ApprovalRule(ApprovalMode.OWNER, new Approvers(users, groups), false, Duration.ofHours(24), List.of(),
                List.of(), false);
    }

    static ApprovalRule dual(List<String> users, List<String> groups, boolean distinctGroups) {
        return new ApprovalRule(ApprovalMode.DUAL, new Approvers(users, groups), distinctGroups, Duration.ofHours(4), List.of(),
                List.of(), false);
    }

    static ApprovalRule with(ApprovalRule r, List<TimeWindow> windows, List<Blackout> blackouts, boolean bypass) {
        return new ApprovalRule(r.mode(), r.approvers(), r.distinctGroups(), r.expiry(), windows, blackouts, bypass);
    }

    static LedgerEntry approve(ApprovalRequest r, String who, Instant at, String... groups) {
        return new LedgerEntry(DecisionKind.APPROVE, who, List.of(groups), false, at, r.digest(), "looks right");
    }

    static LedgerEntry reject(ApprovalRequest r, String who, Instant at, String comment, String... groups) {
        return new LedgerEntry(DecisionKind.REJECT, who, List.of(groups), false, at, r.digest(), comment);
    }

    static LedgerEntry bypass(ApprovalRequest r, String who, Instant at, boolean admin) {
        return new LedgerEntry(DecisionKind.BYPASS, who, List.of(), admin, at, r.digest(), "incident 42");
    }
}
