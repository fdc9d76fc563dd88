package io.jenkins.plugins.agentgate.plugin.approval;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.AbortException;
import hudson.Util;
import hudson.model.Item;
import hudson.model.Run;
import io.jenkins.plugins.agentgate.core.policy.RunPlan;
import io.jenkins.plugins.agentgate.plugin.JenkinsFacade;
import io.jenkins.plugins.agentgate.plugin.request.RequestPlanner;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import jenkins.model.Jenkins;
import jenkins.model.RunAction2;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.HttpResponse;
import org.kohsuke.stapler.HttpResponses;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.interceptor.RequirePOST;

/**
 * The approval page of a build ({@code …/agentgate-approval/}): every {@code agentApprove} request of the
 * build, what it asks, who voted, and approve / reject forms for the open ones.
 *
 * <p>Who may vote: anyone who can see the job ({@link Item#READ}, checked through {@link JenkinsFacade}) may
 * post a vote, and every vote is recorded with its identity and groups; whether it counts is core's engine's
 * decision from the profile's approver set, requester exclusion, dual control, windows and expiry. There is no
 * separate Jenkins permission on purpose: the admins' catalog names the approvers, and an administrator gets
 * no bypass unless the profile allows it (which the engine applies, not this page).
 *
 * <p>Only ids, questions and votes are stored (in {@code build.xml}); the waiting step is found again through
 * {@link StepExecution#acceptAll}, so a controller restart loses nothing.
 */
public final class AgentApprovalAction implements RunAction2 {

    private static final Logger LOGGER = Logger.getLogger(AgentApprovalAction.class.getName());
    private static final JenkinsFacade JENKINS = new JenkinsFacade();
    static Clock clock = Clock.systemUTC();

    private final List<ApprovalRecord> records = new ArrayList<>();
    private transient Run<?, ?> run;

    /** The build's approval action, added on first use. */
    @NonNull
    public static AgentApprovalAction of(@NonNull Run<?, ?> run) {
        synchronized (run) {
            AgentApprovalAction a = run.getAction(AgentApprovalAction.class);
            if (a == null) {
                a = new AgentApprovalAction();
                run.addAction(a);
            }
            return a;
        }
    }

    @Override
    public String getIconFileName() {
        return "symbol-lock-closed";
    }

    @Override
    public String getDisplayName() {
        return Messages.AgentApprovalAction_DisplayName();
    }

    @Override
    public String getUrlName() {
        return "agentgate-approval";
    }

    @Override
    public void onAttached(Run<?, ?> r) {
        this.run = r;
    }

    @Override
    public void onLoad(Run<?, ?> r) {
        this.run = r;
    }

    public Run<?, ?> getRun() {
        return run;
    }

    @NonNull
    public synchronized List<ApprovalRecord> getRecords() {
        return List.copyOf(records);
    }

    @CheckForNull
    public synchronized ApprovalRecord getRecord(String id) {
        return records.stream().filter(r -> r.getId().equals(id)).findFirst().orElse(null);
    }

    /** Every vote of the build, oldest first: the ledger core's engine evaluates. */
    @NonNull
    public synchronized List<ApprovalVote> ledger() {
        List<ApprovalVote> all = new ArrayList<>();
        records.forEach(r -> all.addAll(r.getVotes()));
        return all;
    }

    synchronized void add(ApprovalRecord record) throws IOException {
        records.add(record);
        run.save();
    }

    /**
     * Asks the engine for the record's state now and stores it. The plan is decided again, so a catalog that
     * changed since the request was made changes the question and its digest (the engine then says stale).
     */
    synchronized ApprovalVerdict evaluate(ApprovalRecord record) throws IOException {
        ApprovalVerdict verdict;
        try {
            RequestPlanner.Planned planned = RequestPlanner.plan(record.fields());
            RunPlan plan = planned.plan();
            if (plan == null) {
                record.settle(ApprovalState.REJECTED, Messages.AgentApprovalAction_NowDenied(RequestPlanner.denials(planned.result())));
                run.save();
                return new ApprovalVerdict(record.getState(), record.getReason(), List.of());
            }
            ApprovalEngine engine = ApprovalEngines.current();
            ApprovalQuestion question = ApprovalQuestion.of(plan, record.fields());
            record.requestNow(question, engine.digest(plan, question));
            verdict = engine.evaluate(plan, planned.catalog().templates(), question, record.fields().taskText(), ledger(), clock.instant(), ApprovalEngines.ids(JENKINS));
        } catch (AbortException e) {
            // The catalog in force is broken: nothing can be approved until the admins fix it.
            verdict = new ApprovalVerdict(ApprovalState.PENDING, e.getMessage(), List.of());
        }
        record.update(verdict);
        run.save();
        return verdict;
    }

    /** Marks a record as ended by its step (timeout or abort), so the page no longer offers it. */
    synchronized void close(String id, ApprovalState state, String reason) {
        ApprovalRecord r = getRecord(id);
        if (r != null && r.isOpen()) {
            r.settle(state, reason);
            try {
                run.save();
            } catch (IOException e) {
                LOGGER.log(Level.WARNING, "could not save approval record " + id + " of " + run, e);
            }
        }
    }

    /** Approves request {@code id} as the current user; {@code digest} must be the one shown on the page. */
    @RequirePOST
    public HttpResponse doApprove(@QueryParameter String id, @QueryParameter String digest, @QueryParameter String comment)
            throws IOException {
        JENKINS.checkPermission(run.getParent(), Item.READ);
        return vote(id, digest, comment, true);
    }

    /** Rejects request {@code id} as the current user; the waiting build is aborted naming the rejecter. */
    @RequirePOST
    public HttpResponse doReject(@QueryParameter String id, @QueryParameter String digest, @QueryParameter String comment)
            throws IOException {
        JENKINS.checkPermission(run.getParent(), Item.READ);
        return vote(id, digest, comment, false);
    }

    private HttpResponse vote(String id, String digest, String comment, boolean approve) throws IOException {
        String user = JENKINS.currentUserId();
        if (user == null) {
            return HttpResponses.forbidden();
        }
        ApprovalVerdict verdict;
        synchronized (this) {
            ApprovalRecord record = getRecord(Util.fixNull(id));
            if (record == null) {
                return HttpResponses.notFound();
            }
            if (!record.isOpen()) {
                return HttpResponses.errorWithoutStack(409, Messages.AgentApprovalAction_Settled(record.getId(), record.getState()));
            }
            if (!record.getDigest().equals(digest)) {
                return HttpResponses.errorWithoutStack(409, Messages.AgentApprovalAction_DigestChanged(record.getId(), digest,
                        record.getDigest()));
            }
            record.addVote(new ApprovalVote(user, JENKINS.currentAuthorities(), JENKINS.hasPermission(Jenkins.ADMINISTER), approve,
                    record.getDigest(), clock.instant().toString(), Util.fixNull(comment).trim()));
            run.save();
            verdict = evaluate(record);
        }
        if (verdict.state().settles()) {
            String rejecter = approve ? null : user;
            String runId = run.getExternalizableId();
            StepExecution.acceptAll(AgentApproveExecution.class, e -> e.settled(runId, id, verdict, rejecter));
        }
        return HttpResponses.redirectToDot();
    }

    /** Now, for the page. */
    public String getNow() {
        return Instant.now(clock).toString();
    }
}
