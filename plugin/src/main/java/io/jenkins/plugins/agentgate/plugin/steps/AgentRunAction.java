package io.jenkins.plugins.agentgate.plugin.steps;

import hudson.model.Run;
import java.util.ArrayList;
import java.util.List;
import jenkins.model.RunAction2;

/**
 * One {@code agentRun} of a build, as its page ({@code …/agentgate-run-<runId>/}) and the build's summary show
 * it: status, decisions, policy hash, profile, image, approvers and links to the archived evidence. Plain
 * fields only (stored in {@code build.xml}); nothing secret.
 */
public final class AgentRunAction implements RunAction2 {

    private final String runId;
    private final String status;
    private final String message;
    private final Integer exitCode;
    private final String executionClass;
    private final String profile;
    private final String policyHash;
    private final String image;
    private final String model;
    private final String promptSha256;
    private final List<String> decisions;
    private final String approval;
    private final List<String> approvers;
    private final String approvalRequestId;
    private final List<String> evidence;
    private transient Run<?, ?> run;

    AgentRunAction(AgentRunReport r, String approvalRequestId, List<String> evidence, String model) {
        this.runId = r.runId();
        this.status = r.status().id();
        this.message = r.message();
        this.exitCode = r.exitCode();
        this.executionClass = r.executionClass();
        this.profile = r.profile();
        this.policyHash = r.policyHash();
        this.image = r.image();
        this.model = model;
        this.promptSha256 = r.promptSha256();
        this.decisions = new ArrayList<>(r.decisions());
        this.approval = r.approval();
        this.approvers = new ArrayList<>(r.approvers());
        this.approvalRequestId = approvalRequestId;
        this.evidence = new ArrayList<>(evidence);
    }

    @Override
    public String getIconFileName() {
        return "symbol-cube";
    }

    @Override
    public String getDisplayName() {
        return Messages.AgentRunAction_DisplayName(runId);
    }

    @Override
    public String getUrlName() {
        return "agentgate-run-" + runId;
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

    public String getRunId() { return runId; }
    public String getStatus() { return status; }
    public String getMessage() { return message; }
    public Integer getExitCode() { return exitCode; }
    public String getExecutionClass() { return executionClass; }
    public String getProfile() { return profile; }
    public String getPolicyHash() { return policyHash; }
    public String getImage() { return image; }
    public String getModel() { return model; }
    public String getPromptSha256() { return promptSha256; }
    public List<String> getDecisions() { return List.copyOf(decisions); }
    public String getApproval() { return approval; }
    public List<String> getApprovers() { return List.copyOf(approvers); }
    public String getApprovalRequestId() { return approvalRequestId; }
    /** Artifact paths of the evidence, relative to the build's artifacts. */
    public List<String> getEvidence() { return List.copyOf(evidence); }
}
