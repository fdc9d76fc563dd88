package io.jenkins.plugins.agentgate.core.approval;

import io.jenkins.plugins.agentgate.core.policy.RunPlan;
import io.jenkins.plugins.agentgate.core.profile.TaskTemplate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The approval step of a local governed run whose decisions live in a ledger file, in one call: build the request
 * from the allowed plan, read the ledger, evaluate, and when the run may not start, leave a request file for
 * {@code agentgate approve}. (The run's {@code ApprovalGate} seam adapts this.)
 */
public final class LedgerApprovals {
    private LedgerApprovals() {}

    /**
     * What the gate found.
     *
     * @param request     the request evaluated
     * @param status      the engine's answer (its records go into the evidence)
     * @param requestFile the request file written or kept for approvers, or null when the run may start
     */
    public record Outcome(ApprovalRequest request, ApprovalStatus status, Path requestFile) {
        public boolean allowed() {
            return status.allowed();
        }
    }

    /**
     * @param engine      the engine (the CLI uses {@link ApprovalEngine#LOCAL})
     * @param plan        the plan the policy engine allowed; its effective profile carries the class's approval rule
     * @param templates   the catalog's templates
     * @param task        the task text (its hash is the request's prompt hash)
     * @param files       files the run will touch, or null when not known yet
     * @param diffDigest  digest of the diff summary, or null before the run
     * @param action      the planned action in words
     * @param ledgerFile  the ledger ({@code --approvals FILE}); a missing file is an empty ledger
     * @param requestFile where to leave the request when approval is missing; an existing file for the same digest is
     *                    kept as it is (same request, its original creation time)
     * @param now         the evaluation time
     */
    public static Outcome check(ApprovalEngine engine, RunPlan plan, List<TaskTemplate> templates, String task,
                                List<String> files, String diffDigest, String action, Path ledgerFile, Path requestFile,
                                Instant now) throws IOException {
        Objects.requireNonNull(task, "task");
        ApprovalRequest request = ApprovalRequest.of(plan, ApprovalRequest.promptHashOf(task), diffDigest, action, now);
        ApprovalStatus status = engine.evaluate(plan.effective().approval(), templates, request, new TaskFacts(task, files),
                Ledger.read(ledgerFile), now);
        if (status.allowed()) {
            return new Outcome(request, status, null);
        }
        if (!sameRequestAlreadyThere(requestFile, request)) {
            RequestFile.write(requestFile, request);
        }
        return new Outcome(request, status, requestFile);
    }

    private static boolean sameRequestAlreadyThere(Path requestFile, ApprovalRequest request) {
        if (!Files.isRegularFile(requestFile)) {
            return false;
        }
        try {
            return RequestFile.read(requestFile).digest().equals(request.digest());
        } catch (IOException e) {
            return false; // unreadable or edited: replace it with the current request
        }
    }
}
