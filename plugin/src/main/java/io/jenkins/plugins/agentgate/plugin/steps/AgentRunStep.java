package io.jenkins.plugins.agentgate.plugin.steps;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.Extension;
import hudson.FilePath;
import hudson.Launcher;
import hudson.Util;
import hudson.model.Run;
import hudson.model.TaskListener;
import io.jenkins.plugins.agentgate.plugin.request.AgentRequestStep;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * {@code agentRun}: one governed agent run inside a {@code node}: core decides the plan, the sandbox runs on
 * that node's agent, the evidence is archived with the build. Returns a map: {@code status}, {@code exitCode},
 * {@code evidencePath}, {@code approvalRequestId}, {@code policyHash}, {@code runId}.
 */
public final class AgentRunStep extends AgentRequestStep {

    private String taskFile;
    private List<String> command = List.of();
    private boolean returnStatus;

    @DataBoundConstructor
    public AgentRunStep(@CheckForNull String task, @CheckForNull String executionClass) {
        super(task, executionClass);
    }

    /** A workspace-relative task file, read on the agent; instead of {@code task}. */
    @CheckForNull
    public String getTaskFile() {
        return taskFile;
    }

    @DataBoundSetter
    public void setTaskFile(@CheckForNull String taskFile) {
        this.taskFile = Util.fixEmptyAndTrim(taskFile);
    }

    /** The agent's command and arguments inside the container. */
    @NonNull
    public List<String> getCommand() {
        return command;
    }

    @DataBoundSetter
    public void setCommand(@CheckForNull List<String> command) {
        List<String> out = new ArrayList<>();
        if (command != null) {
            command.stream().filter(c -> c != null && !c.isEmpty()).forEach(out::add);
        }
        this.command = List.copyOf(out);
    }

    /**
     * When true, an agent that ran and failed (non-zero exit, timeout, memory limit) does not fail the step:
     * the result map says so. Denials, refused approvals and runtime errors always fail the step.
     */
    public boolean isReturnStatus() {
        return returnStatus;
    }

    @DataBoundSetter
    public void setReturnStatus(boolean returnStatus) {
        this.returnStatus = returnStatus;
    }

    @Override
    public StepExecution start(StepContext context) {
        return new AgentRunExecution(this, context);
    }

    @Extension
    @Symbol("agentRun")
    public static final class DescriptorImpl extends StepDescriptor {

        @Override
        public String getFunctionName() {
            return "agentRun";
        }

        @NonNull
        @Override
        public String getDisplayName() {
            return Messages.AgentRunStep_DisplayName();
        }

        /** A node: the sandbox runs next to the workspace, on the agent. */
        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, FilePath.class, Launcher.class, TaskListener.class);
        }
    }
}
