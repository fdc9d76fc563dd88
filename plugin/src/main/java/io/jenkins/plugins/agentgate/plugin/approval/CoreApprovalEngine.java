package io.jenkins.plugins.agentgate.plugin.approval;

import hudson.Extension;
import io.jenkins.plugins.agentgate.core.approval.ApprovalRecord;
import io.jenkins.plugins.agentgate.core.approval.ApprovalRequest;
import io.jenkins.plugins.agentgate.core.approval.ApprovalStatus;
import io.jenkins.plugins.agentgate.core.approval.DecisionKind;
import io.jenkins.plugins.agentgate.core.approval.GroupDirectory;
import io.jenkins.plugins.agentgate.core.approval.LedgerEntry;
import io.jenkins.plugins.agentgate.core.approval.TaskFacts;
import io.jenkins.plugins.agentgate.core.json.Digests;
import io.jenkins.plugins.agentgate.core.policy.RunPlan;
import io.jenkins.plugins.agentgate.core.profile.TaskTemplate;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Core's approvals engine behind the plugin's {@link ApprovalEngine}: the digest is core's
 * {@link ApprovalRequest#digest()} of the plan and the question; votes become core ledger entries (an
 * administrator's approval that core would not count as an owner's is offered as a bypass, which core counts only
 * where the profile allows it); ids compare by the security realm's strategies; groups are the ones Jenkins
 * granted the voter when voting.
 */
@Extension(ordinal = -1000)
public final class CoreApprovalEngine implements ApprovalEngine {

    @Override
    public String digest(RunPlan plan, ApprovalQuestion question) {
        return request(plan, question, Instant.EPOCH).digest();
    }

    @Override
    public ApprovalVerdict evaluate(RunPlan plan, List<TaskTemplate> templates, ApprovalQuestion question, String taskText,
                                    List<ApprovalVote> ledger, Instant now, IdMatcher ids) {
        ApprovalStatus s = status(plan, templates, question, taskText, ledger, now, ids);
        return new ApprovalVerdict(ApprovalState.valueOf(s.state().name()), s.message(), s.approvers(),
                s.records().stream().map(ApprovalRecord::format).toList());
    }

    /** Core's full answer, with every record (for the evidence bundle); {@link #evaluate} is its summary. */
    public ApprovalStatus status(RunPlan plan, List<TaskTemplate> templates, ApprovalQuestion question, String taskText,
                                 List<ApprovalVote> ledger, Instant now, IdMatcher ids) {
        io.jenkins.plugins.agentgate.core.approval.ApprovalEngine engine =
                new io.jenkins.plugins.agentgate.core.approval.ApprovalEngine(ids::userKey, ids::groupKey, GroupDirectory.ASSERTED);
        ApprovalRequest request = request(plan, question, now);
        List<LedgerEntry> entries = new ArrayList<>();
        for (ApprovalVote v : ledger) {
            LedgerEntry e = entry(v, v.approve() ? DecisionKind.APPROVE : DecisionKind.REJECT);
            if (e == null) {
                continue;
            }
            if (v.approve() && v.administrator() && engine.refusal(plan.effective().approval(), request, e, now) != null) {
                // Not countable as an owner's approval: core decides whether the profile lets an administrator bypass.
                LedgerEntry bypass = entry(v, DecisionKind.BYPASS);
                if (engine.refusal(plan.effective().approval(), request, bypass, now) == null) {
                    e = bypass;
                }
            }
            entries.add(e);
        }
        return engine.evaluate(plan.effective().approval(), templates, request,
                taskText == null ? TaskFacts.none() : TaskFacts.prompt(taskText), entries, now);
    }

    /** A vote as core's ledger holds it; null for a vote whose time or digest cannot be read (it never counts). */
    private static LedgerEntry entry(ApprovalVote v, DecisionKind kind) {
        try {
            return new LedgerEntry(kind, v.userId(), v.authorities(), v.administrator(), Instant.parse(v.at()), v.digest(),
                    v.comment());
        } catch (DateTimeParseException | IllegalArgumentException | NullPointerException e) {
            return null;
        }
    }

    private static ApprovalRequest request(RunPlan plan, ApprovalQuestion q, Instant createdAt) {
        String diff = q.diffSummary() == null ? null : "sha256:" + Digests.sha256Hex(q.diffSummary());
        return ApprovalRequest.of(plan, ApprovalRequest.isDigest(q.promptSha256()) ? q.promptSha256() : "sha256:" + q.promptSha256(),
                diff, q.plannedAction(), createdAt);
    }
}
