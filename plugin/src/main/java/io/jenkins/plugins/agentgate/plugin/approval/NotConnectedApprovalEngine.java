package io.jenkins.plugins.agentgate.plugin.approval;

import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.json.Digests;
import io.jenkins.plugins.agentgate.core.profile.ApprovalMode;
import io.jenkins.plugins.agentgate.core.profile.ApprovalRule;
import java.time.Instant;
import java.util.List;

/**
 * Used while no {@link ApprovalEngine} extension is installed: fails closed. A profile that asks for no
 * approval needs none; every other request stays pending (and so an {@code agentApprove} times out and an
 * {@code agentRun} is refused) with a message saying why.
 */
public final class NotConnectedApprovalEngine implements ApprovalEngine {

    @Override
    public String digest(ApprovalQuestion question) {
        return "sha256:" + Digests.sha256Hex(CanonicalJson.bytes(question));
    }

    @Override
    public ApprovalVerdict evaluate(ApprovalRule rule, ApprovalQuestion question, List<ApprovalVote> ledger, Instant now,
                                    IdMatcher ids) {
        if (rule.mode() == ApprovalMode.NONE) {
            return new ApprovalVerdict(ApprovalState.APPROVED, Messages.NotConnected_NoneRequired(question.profile()), List.of());
        }
        return new ApprovalVerdict(ApprovalState.PENDING, Messages.NotConnected_Pending(rule.mode().id(), question.profile()),
                List.of());
    }
}
