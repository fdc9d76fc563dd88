package io.jenkins.plugins.agentgate.core.run;

import io.jenkins.plugins.agentgate.core.approval.ApprovalEngine;
import io.jenkins.plugins.agentgate.core.approval.ApprovalRequest;
import io.jenkins.plugins.agentgate.core.approval.ApprovalStatus;
import io.jenkins.plugins.agentgate.core.approval.LedgerApprovals;
import io.jenkins.plugins.agentgate.core.approval.RequestFile;
import io.jenkins.plugins.agentgate.core.approval.TaskFacts;
import io.jenkins.plugins.agentgate.core.profile.TaskTemplate;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The run's approval gate over a local ledger file ({@link LedgerApprovals#check}): the approvals engine decides
 * with the class profile's rule; when the run may not start, a request file is left next to the ledger for
 * {@code agentgate approve}.
 *
 * <p>Without a ledger the engine is still asked (with no recorded decisions): a class whose rule needs no approval,
 * or whose template matches, proceeds; any other is refused — never silently run.
 *
 * <p>The approval request's planned action is {@code run: COMMAND in WORKSPACE}, so re-running the same command on
 * the same workspace with the same task, plan and requester has the same digest and keeps its approvals.
 */
public final class LedgerApprovalGate implements ApprovalGate {
    private final ApprovalEngine engine;
    private final List<TaskTemplate> templates;
    private final Path ledger;
    private final Clock clock;

    /**
     * @param engine    the engine ({@link ApprovalEngine#LOCAL} for the CLI)
     * @param templates the catalog's templates
     * @param ledger    the ledger file, or null when none was given
     * @param clock     evaluation time
     */
    public LedgerApprovalGate(ApprovalEngine engine, List<TaskTemplate> templates, Path ledger, Clock clock) {
        this.engine = Objects.requireNonNull(engine, "engine");
        this.templates = templates == null ? List.of() : List.copyOf(templates);
        this.ledger = ledger;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The planned action an approver sees, part of the request digest. */
    public static String action(RunContext ctx) {
        return "run: " + String.join(" ", ctx.command()) + " in " + ctx.workspace().toAbsolutePath().normalize();
    }

    @Override
    public Approval check(RunContext ctx) throws Exception {
        Instant now = clock.instant();
        if (ledger == null) {
            ApprovalRequest request = ApprovalRequest.of(ctx.plan(), ApprovalRequest.promptHashOf(ctx.taskText()), null,
                    action(ctx), now);
            ApprovalStatus status = engine.evaluate(ctx.plan().effective().approval(), templates, request,
                    new TaskFacts(ctx.taskText(), null), List.of(), now);
            if (status.allowed()) {
                return new Approval(true, describe(status), status.approvers(), status, null);
            }
            return new Approval(false, "class " + ctx.request().executionClass().id() + " needs approval (rule "
                    + ctx.plan().effective().approval().mode().id() + " of profile " + ctx.plan().effective().id()
                    + ") and no approvals ledger was given: " + status.message(), List.of(), status, null);
        }
        LedgerApprovals.Outcome o = LedgerApprovals.check(engine, ctx.plan(), templates, ctx.taskText(), null, null,
                action(ctx), ledger, RequestFile.forLedger(ledger), now);
        ApprovalStatus status = o.status();
        if (o.allowed()) {
            return new Approval(true, describe(status), status.approvers(), status, null);
        }
        return new Approval(false, status.state().id() + ": " + status.message(), List.of(), status,
                o.requestFile() == null ? null : o.requestFile().toString());
    }

    private static String describe(ApprovalStatus s) {
        String via = s.via() == null ? "approved" : "approved via " + s.via().id();
        return via + (s.approvers().isEmpty() ? "" : " by " + String.join(", ", s.approvers()))
                + (s.template() == null ? "" : " (template " + s.template() + ")");
    }
}
