package io.jenkins.plugins.agentgate.plugin.approval;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.Extension;
import hudson.Util;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.agentgate.plugin.request.AgentRequestStep;
import java.util.Set;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.graph.FlowNode;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * {@code agentApprove}: asks the approvers of the request's execution class to approve exactly this request
 * (class, profile and policy hash, prompt hash, diff summary, credential scopes, planned action), and waits
 * without holding an executor. Give {@code agentRun} the same arguments afterwards.
 */
public final class AgentApproveStep extends AgentRequestStep {

    /** How long to wait when no {@code approvalTimeout} is given. */
    public static final String DEFAULT_APPROVAL_TIMEOUT = "24h";

    private String approvalTimeout = DEFAULT_APPROVAL_TIMEOUT;
    private String message;

    @DataBoundConstructor
    public AgentApproveStep(@CheckForNull String task, @CheckForNull String executionClass) {
        super(task, executionClass);
    }

    /** How long the build waits for the request to be settled, e.g. {@code 4h}. */
    @NonNull
    public String getApprovalTimeout() {
        return approvalTimeout;
    }

    @DataBoundSetter
    public void setApprovalTimeout(@CheckForNull String approvalTimeout) {
        String t = Util.fixEmptyAndTrim(approvalTimeout);
        this.approvalTimeout = t == null ? DEFAULT_APPROVAL_TIMEOUT : t;
    }

    /** A note for the approvers (shown on the page; not part of the digest). */
    @CheckForNull
    public String getMessage() {
        return message;
    }

    @DataBoundSetter
    public void setMessage(@CheckForNull String message) {
        this.message = Util.fixEmptyAndTrim(message);
    }

    @Override
    public StepExecution start(StepContext context) {
        return new AgentApproveExecution(this, context);
    }

    @Extension
    @Symbol("agentApprove")
    public static final class DescriptorImpl extends StepDescriptor {

        @Override
        public String getFunctionName() {
            return "agentApprove";
        }

        @NonNull
        @Override
        public String getDisplayName() {
            return Messages.AgentApproveStep_DisplayName();
        }

        /** No node, no workspace: waiting holds no executor. */
        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class, FlowNode.class);
        }
    }
}
