package io.jenkins.plugins.agentgate.plugin.request;

import edu.umd.cs.findbugs.annotations.CheckForNull;
import edu.umd.cs.findbugs.annotations.NonNull;
import hudson.Util;
import java.util.ArrayList;
import java.util.List;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.kohsuke.stapler.DataBoundSetter;

/**
 * What {@code agentRun} and {@code agentApprove} share: the request whose plan is decided by core and, for
 * approvals, bound into the digest the approvers sign off. Passing the same arguments (e.g. one Groovy map)
 * to both steps is how an approval reaches the run it was for.
 */
public abstract class AgentRequestStep extends Step {

    private final String task;
    private final String executionClass;
    private String profile;
    private String image;
    private List<String> tools;
    private List<String> credentials = List.of();
    private List<String> network;
    private String model;
    private String timeout;
    private String diffSummary;
    private String plannedAction;

    protected AgentRequestStep(@CheckForNull String task, @CheckForNull String executionClass) {
        this.task = Util.fixEmpty(task);
        this.executionClass = Util.fixEmptyAndTrim(executionClass);
    }

    /** The task prompt as text; may be empty when {@code taskFile} names a workspace file. */
    @CheckForNull
    public String getTask() {
        return task;
    }

    /** draft, delivery or privileged (validated by core). */
    @CheckForNull
    public String getExecutionClass() {
        return executionClass;
    }

    @CheckForNull
    public String getProfile() {
        return profile;
    }

    @DataBoundSetter
    public void setProfile(@CheckForNull String profile) {
        this.profile = Util.fixEmptyAndTrim(profile);
    }

    @CheckForNull
    public String getImage() {
        return image;
    }

    @DataBoundSetter
    public void setImage(@CheckForNull String image) {
        this.image = Util.fixEmptyAndTrim(image);
    }

    /** Tools the agent will use; null means all the profile allows. */
    @CheckForNull
    public List<String> getTools() {
        return tools;
    }

    @DataBoundSetter
    public void setTools(@CheckForNull List<String> tools) {
        this.tools = tools == null ? null : clean(tools);
    }

    /** Credential ids to lease (never values). */
    @NonNull
    public List<String> getCredentials() {
        return credentials;
    }

    @DataBoundSetter
    public void setCredentials(@CheckForNull List<String> credentials) {
        this.credentials = credentials == null ? List.of() : clean(credentials);
    }

    /** Network destinations ({@code host[:port]}); null means all the profile allows. */
    @CheckForNull
    public List<String> getNetwork() {
        return network;
    }

    @DataBoundSetter
    public void setNetwork(@CheckForNull List<String> network) {
        this.network = network == null ? null : clean(network);
    }

    @CheckForNull
    public String getModel() {
        return model;
    }

    @DataBoundSetter
    public void setModel(@CheckForNull String model) {
        this.model = Util.fixEmptyAndTrim(model);
    }

    /** The run's wall-clock limit, e.g. {@code 15m}; at most the profile's. */
    @CheckForNull
    public String getTimeout() {
        return timeout;
    }

    @DataBoundSetter
    public void setTimeout(@CheckForNull String timeout) {
        this.timeout = Util.fixEmptyAndTrim(timeout);
    }

    /** What the change looks like (e.g. {@code git diff --stat}), shown to approvers and bound into the digest. */
    @CheckForNull
    public String getDiffSummary() {
        return diffSummary;
    }

    @DataBoundSetter
    public void setDiffSummary(@CheckForNull String diffSummary) {
        this.diffSummary = Util.fixEmpty(diffSummary);
    }

    /** One line saying what the run will do, shown to approvers and bound into the digest. */
    @CheckForNull
    public String getPlannedAction() {
        return plannedAction;
    }

    @DataBoundSetter
    public void setPlannedAction(@CheckForNull String plannedAction) {
        this.plannedAction = Util.fixEmptyAndTrim(plannedAction);
    }

    /** The request's fields, serializable, for the controller and the agent. */
    @NonNull
    public RequestFields fields(@NonNull String taskText, @NonNull String requester) {
        return new RequestFields(executionClass, profile, image, tools, credentials, network, timeout, model, taskText,
                diffSummary, plannedAction, requester);
    }

    private static List<String> clean(List<String> values) {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            String t = Util.fixEmptyAndTrim(v);
            if (t != null) {
                out.add(t);
            }
        }
        return List.copyOf(out);
    }
}
