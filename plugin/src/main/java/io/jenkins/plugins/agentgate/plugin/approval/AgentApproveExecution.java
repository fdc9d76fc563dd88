package io.jenkins.plugins.agentgate.plugin.approval;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.AbortException;
import hudson.console.HyperlinkNote;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.agentgate.core.policy.RunPlan;
import io.jenkins.plugins.agentgate.core.profile.Values;
import io.jenkins.plugins.agentgate.plugin.JenkinsFacade;
import io.jenkins.plugins.agentgate.plugin.request.RequestFields;
import io.jenkins.plugins.agentgate.plugin.request.RequestPlanner;
import io.jenkins.plugins.agentgate.plugin.request.Requester;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import jenkins.util.Timer;
import org.jenkinsci.plugins.workflow.support.actions.PauseAction;
import org.jenkinsci.plugins.workflow.graph.FlowNode;
import org.jenkinsci.plugins.workflow.steps.AbstractStepExecutionImpl;
import org.jenkinsci.plugins.workflow.steps.FlowInterruptedException;
import org.jenkinsci.plugins.workflow.steps.StepContext;

/**
 * Waits for an approval without an executor (after workflow-basic-steps' {@code SleepStep}): {@link #start}
 * records the request on the build's {@link AgentApprovalAction} and returns {@code false}; a vote on the page
 * calls {@link #settled}; a timer ends the wait. Saved state is ids and the deadline only, so after a controller
 * restart {@link #onResume} re-arms the timer and the page finds this execution again.
 */
public final class AgentApproveExecution extends AbstractStepExecutionImpl {

    private static final long serialVersionUID = 1L;
    private static final Logger LOGGER = Logger.getLogger(AgentApproveExecution.class.getName());
    private static final JenkinsFacade JENKINS = new JenkinsFacade();

    private final transient AgentApproveStep step;
    private String runId;
    private String requestId;
    private String timeoutText;
    private long deadlineMillis;
    private transient volatile ScheduledFuture<?> timer;

    AgentApproveExecution(AgentApproveStep step, StepContext context) {
        super(context);
        this.step = step;
    }

    @Override
    public boolean start() throws Exception {
        Run<?, ?> run = getContext().get(Run.class);
        TaskListener listener = getContext().get(TaskListener.class);
        if (step.getTask() == null) {
            throw new AbortException(Messages.AgentApproveStep_NoTask());
        }
        Duration wait;
        try {
            wait = Values.duration(step.getApprovalTimeout());
        } catch (IllegalArgumentException e) {
            throw new AbortException(Messages.AgentApproveStep_BadArgument("approvalTimeout", e.getMessage()));
        }
        RequestFields fields = step.fields(step.getTask(), Requester.of(run, JENKINS));
        RequestPlanner.Planned planned = RequestPlanner.plan(fields);
        RunPlan plan = planned.plan();
        if (plan == null) {
            throw new AbortException(Messages.AgentApproveStep_Denied(RequestPlanner.denials(planned.result())));
        }
        ApprovalQuestion question = ApprovalQuestion.of(plan, fields);
        ApprovalEngine engine = ApprovalEngines.current();
        runId = run.getExternalizableId();
        requestId = UUID.randomUUID().toString().substring(0, 8);
        timeoutText = step.getApprovalTimeout();
        Instant now = AgentApprovalAction.clock.instant();
        deadlineMillis = now.plus(wait).toEpochMilli();
        AgentApprovalAction action = AgentApprovalAction.of(run);
        ApprovalRecord record = new ApprovalRecord(requestId, fields, question, engine.digest(plan, question), now.toString(),
                Instant.ofEpochMilli(deadlineMillis).toString());
        action.add(record);
        ApprovalVerdict verdict = action.evaluate(record);
        if (verdict.state().settles()) {
            finish(verdict, null);
            return true;
        }
        listener.getLogger().println(Messages.AgentApproveStep_Waiting(
                HyperlinkNote.encodeTo("/" + run.getUrl() + action.getUrlName() + "/", requestId),
                question.executionClass(), question.profile(), verdict.reason(), timeoutText)
                + (step.getMessage() == null ? "" : " — " + step.getMessage()));
        FlowNode node = getContext().get(FlowNode.class);
        if (node != null) {
            node.addAction(new PauseAction(Messages.AgentApproveStep_PauseCause()));
        }
        arm();
        return false;
    }

    @Override
    public void onResume() {
        // The request and its votes are in build.xml; only the timer is lost with the old JVM.
        arm();
    }

    @Override
    public void stop(@NonNull Throwable cause) throws Exception {
        cancelTimer();
        closeRecord(ApprovalState.REJECTED, Messages.AgentApproveStep_Stopped(String.valueOf(cause.getMessage())));
        endPause();
        getContext().onFailure(cause);
    }

    @NonNull
    @Override
    public String getStatus() {
        return Messages.AgentApproveStep_Status(requestId, Instant.ofEpochMilli(deadlineMillis));
    }

    /** Called by the page once the engine settled request {@code id} of build {@code run}; ignores other requests. */
    void settled(String run, String id, ApprovalVerdict verdict, @CheckForNull String rejecter) {
        if (!run.equals(runId) || !id.equals(requestId)) {
            return;
        }
        cancelTimer();
        endPause();
        finish(verdict, rejecter);
    }

    private void finish(ApprovalVerdict verdict, @CheckForNull String rejecter) {
        if (verdict.state() == ApprovalState.APPROVED) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("approvalRequestId", requestId);
            result.put("status", verdict.state().name().toLowerCase(java.util.Locale.ROOT));
            result.put("approvers", verdict.approvers());
            result.put("reason", verdict.reason());
            getContext().onSuccess(result);
        } else {
            getContext().onFailure(new FlowInterruptedException(Result.ABORTED, true,
                    new ApprovalRejected(requestId, rejecter, verdict.state().name().toLowerCase(java.util.Locale.ROOT)
                            + ": " + verdict.reason())));
        }
    }

    private void arm() {
        long delay = deadlineMillis - System.currentTimeMillis();
        timer = Timer.get().schedule(this::timedOut, Math.max(0, delay), TimeUnit.MILLISECONDS);
    }

    private void timedOut() {
        String state = ApprovalState.PENDING.name().toLowerCase(java.util.Locale.ROOT);
        try {
            AgentApprovalAction action = getContext().get(Run.class).getAction(AgentApprovalAction.class);
            ApprovalRecord record = action == null ? null : action.getRecord(requestId);
            if (record != null && !record.isOpen()) {
                return; // settled a moment ago through the page
            }
            if (record != null) {
                state = record.getState().name().toLowerCase(java.util.Locale.ROOT) + " (" + record.getReason() + ")";
            }
        } catch (IOException | InterruptedException e) {
            LOGGER.log(Level.FINE, "approval " + requestId + ": build not reachable at timeout", e);
        }
        closeRecord(ApprovalState.EXPIRED, Messages.AgentApproveStep_TimedOut(timeoutText));
        endPause();
        getContext().onFailure(new FlowInterruptedException(Result.ABORTED, true, new ApprovalTimedOut(requestId, timeoutText, state)));
    }

    private void closeRecord(ApprovalState state, String reason) {
        try {
            AgentApprovalAction action = getContext().get(Run.class).getAction(AgentApprovalAction.class);
            if (action != null) {
                action.close(requestId, state, reason);
            }
        } catch (IOException | InterruptedException e) {
            LOGGER.log(Level.WARNING, "approval " + requestId + ": could not close the record", e);
        }
    }

    private void endPause() {
        try {
            FlowNode node = getContext().get(FlowNode.class);
            if (node != null) {
                PauseAction.endCurrentPause(node);
            }
        } catch (IOException | InterruptedException e) {
            LOGGER.log(Level.FINE, "approval " + requestId + ": could not end the pause", e);
        }
    }

    private void cancelTimer() {
        ScheduledFuture<?> t = timer;
        if (t != null) {
            t.cancel(false);
        }
    }
}
