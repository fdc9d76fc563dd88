package io.jenkins.plugins.agentgate.plugin.steps;

import com.cloudbees.plugins.credentials.CredentialsMatchers;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardCredentials;
import hudson.AbortException;
import hudson.FilePath;
import hudson.Launcher;
import hudson.PluginWrapper;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.security.ACL;
import hudson.slaves.WorkspaceList;
import io.jenkins.plugins.agentgate.core.json.Digests;
import io.jenkins.plugins.agentgate.core.policy.CredentialGrant;
import io.jenkins.plugins.agentgate.core.profile.Connector;
import io.jenkins.plugins.agentgate.core.profile.ConnectorCredential;
import io.jenkins.plugins.agentgate.core.policy.RunPlan;
import io.jenkins.plugins.agentgate.core.run.RunStatus;
import io.jenkins.plugins.agentgate.plugin.JenkinsFacade;
import io.jenkins.plugins.agentgate.plugin.approval.AgentApprovalAction;
import io.jenkins.plugins.agentgate.plugin.config.AgentGateConfiguration;
import io.jenkins.plugins.agentgate.plugin.approval.ApprovalEngine;
import io.jenkins.plugins.agentgate.plugin.approval.ApprovalEngines;
import io.jenkins.plugins.agentgate.plugin.approval.ApprovalQuestion;
import io.jenkins.plugins.agentgate.plugin.approval.ApprovalRecord;
import io.jenkins.plugins.agentgate.plugin.approval.ApprovalState;
import io.jenkins.plugins.agentgate.plugin.approval.ApprovalVerdict;
import io.jenkins.plugins.agentgate.plugin.approval.ApprovalVote;
import io.jenkins.plugins.agentgate.plugin.approval.IdKeys;
import io.jenkins.plugins.agentgate.plugin.approval.IdMatcher;
import io.jenkins.plugins.agentgate.plugin.request.RequestFields;
import io.jenkins.plugins.agentgate.plugin.request.RequestPlanner;
import io.jenkins.plugins.agentgate.plugin.request.Requester;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jenkins.util.BuildListenerAdapter;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;

/**
 * Runs {@code agentRun} on a pool thread of the controller that waits for the agent.
 *
 * <p>Order: read the task (on the agent) → core's policy decision on the controller → core's approval engine
 * over the build's recorded votes → credentials resolved from the credentials plugin for the granted ids only
 * → {@link AgentRunCallable} on the agent (which decides again and refuses if the plan differs) → evidence
 * archived as build artifacts → {@link AgentRunAction} → result map or abort.
 *
 * <p>Restart: a run cannot outlive the controller JVM that waits for it. After a restart
 * {@link SynchronousNonBlockingStepExecution#onResume} fails the step (its message says the step cannot
 * resume); the container of that run is left to the reaper, which removes containers of dead runs before the
 * next run on that agent starts. Aborting the build interrupts the waiting thread; remoting interrupts the
 * agent side, and the sandbox removes the container.
 */
final class AgentRunExecution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {

    private static final long serialVersionUID = 1L;
    private static final JenkinsFacade JENKINS = new JenkinsFacade();
    /** Where evidence of a run goes among the build's artifacts. */
    static final String ARTIFACT_ROOT = "agentgate/";

    private final transient AgentRunStep step;

    AgentRunExecution(AgentRunStep step, StepContext context) {
        super(context);
        this.step = step;
    }

    @Override
    protected Map<String, Object> run() throws Exception {
        StepContext ctx = getContext();
        Run<?, ?> run = ctx.get(Run.class);
        FilePath workspace = ctx.get(FilePath.class);
        Launcher launcher = ctx.get(Launcher.class);
        TaskListener listener = ctx.get(TaskListener.class);
        if (step.getCommand().isEmpty()) {
            throw new AbortException(Messages.AgentRunStep_NoCommand());
        }
        if ((step.getTask() == null) == (step.getTaskFile() == null)) {
            throw new AbortException(Messages.AgentRunStep_TaskOrFile(step.getTask() == null ? "neither" : "both"));
        }
        String task = step.getTask() != null ? step.getTask() : workspace.act(new ReadTaskFile(step.getTaskFile()));
        RequestFields fields = step.fields(task, Requester.of(run, JENKINS));
        RequestPlanner.Planned planned = RequestPlanner.plan(fields);
        RunPlan plan = planned.plan();
        String promptSha = Digests.sha256Hex(task);

        PreApproval approval = new PreApproval(false, RequestPlanner.denials(planned.result()), List.of(), null, promptSha);
        String approvalRequestId = null;
        Map<String, byte[]> secrets = new LinkedHashMap<>();
        Map<String, byte[]> connectorSecrets = new LinkedHashMap<>();
        if (plan != null) {
            ApprovalEngine engine = ApprovalEngines.current();
            ApprovalQuestion question = ApprovalQuestion.of(plan, fields);
            String digest = engine.digest(plan, question);
            AgentApprovalAction approvals = run.getAction(AgentApprovalAction.class);
            List<ApprovalVote> votes = approvals == null ? List.of() : approvals.ledger();
            Instant now = Instant.now();
            IdMatcher ids = ApprovalEngines.ids(JENKINS);
            ApprovalVerdict verdict = engine.evaluate(plan, planned.catalog().templates(), question, task, votes, now, ids);
            if (approvals != null) {
                approvalRequestId = approvals.getRecords().stream().filter(r -> r.getDigest().equals(digest))
                        .map(ApprovalRecord::getId).reduce((a, b) -> b).orElse(null);
            }
            boolean granted = verdict.state() == ApprovalState.APPROVED;
            approval = new PreApproval(granted, granted ? verdict.reason()
                    : verdict.state().name().toLowerCase(Locale.ROOT) + ": " + verdict.reason(), verdict.approvers(),
                    plan.policyHash(), promptSha, question, votes, now.toString(), IdKeys.of(ids, plan, votes));
            if (granted) {
                resolve(run, plan, secrets);
                resolveConnectors(run, plan, connectorSecrets);
            }
        }

        FilePath temp = WorkspaceList.tempDir(workspace);
        if (temp == null) {
            throw new AbortException(Messages.AgentRunStep_NoTempDir(workspace.getRemote()));
        }
        FilePath evidenceRoot = temp.child("agentgate-evidence");
        AgentRunReport report;
        String keyId = AgentGateConfiguration.get().getSigningKeyCredentialsId();
        byte[] signingKey = keyId == null ? null : signingKey(keyId);
        try {
            report = workspace.act(new AgentRunCallable(fields, AgentRunCallable.catalogYaml(), step.getCommand(), listener, approval,
                    secrets, connectorSecrets, evidenceRoot.getRemote(), temp.child("agentgate-scratch").getRemote(),
                    AgentEvidence.current(), version(), keyId, signingKey));
        } finally {
            secrets.values().forEach(v -> Arrays.fill(v, (byte) 0));
            secrets.clear();
            connectorSecrets.values().forEach(v -> Arrays.fill(v, (byte) 0));
            connectorSecrets.clear();
            if (signingKey != null) {
                Arrays.fill(signingKey, (byte) 0);
            }
        }

        List<String> artifacts = archive(run, launcher, listener, evidenceRoot, report.evidenceDir());
        run.addAction(new AgentRunAction(report, approvalRequestId, artifacts, step.getModel()));

        Map<String, Object> result = new LinkedHashMap<>();
        result.put("status", report.status().id());
        result.put("exitCode", report.exitCode());
        result.put("evidencePath", report.evidenceDir() == null ? null : ARTIFACT_ROOT + report.evidenceDir());
        result.put("approvalRequestId", approvalRequestId);
        result.put("policyHash", report.policyHash());
        result.put("runId", report.runId());
        RunStatus s = report.status();
        if (s == RunStatus.SUCCEEDED || (s == RunStatus.AGENT_FAILED && step.isReturnStatus())) {
            return result;
        }
        throw new AbortException(switch (s) {
            case DENIED -> Messages.AgentRunStep_Denied(report.runId(), report.message());
            case APPROVAL_REFUSED -> Messages.AgentRunStep_ApprovalRefused(report.runId(), report.message());
            case AGENT_FAILED -> Messages.AgentRunStep_AgentFailed(report.runId(), report.message());
            default -> Messages.AgentRunStep_RuntimeError(report.runId(), report.message());
        });
    }

    /**
     * Reads the granted credentials' values from the credentials plugin, as the build's authentication sees
     * them, and records their use on the build.
     */
    private static void resolve(Run<?, ?> run, RunPlan plan, Map<String, byte[]> into) throws IOException {
        for (CredentialGrant grant : plan.credentials()) {
            into.put(grant.id(), credentialBytes(run, grant.id(), Messages.AgentRunStep_NoSuchCredential(grant.id())));
        }
    }

    /**
     * The credentials of the connectors the plan's MCP tools use. They go to the tool gateway on the agent only,
     * never into the sandbox, so they are kept apart from the run's own grants.
     */
    private static void resolveConnectors(Run<?, ?> run, RunPlan plan, Map<String, byte[]> into) throws IOException {
        for (Connector connector : plan.effective().tools().connectors()) {
            for (ConnectorCredential c : connector.credentials()) {
                if (!into.containsKey(c.id())) {
                    into.put(c.id(), credentialBytes(run, c.id(),
                            Messages.AgentRunStep_NoSuchConnectorCredential(connector.id(), c.id())));
                }
            }
        }
    }

    /** A secret text's or secret file's bytes, as the build sees the credential (its use tracked); aborts with {@code missing}. */
    private static byte[] credentialBytes(Run<?, ?> run, String id, String missing) throws IOException {
        StringCredentials text = CredentialsProvider.findCredentialById(id, StringCredentials.class, run);
        if (text != null) {
            CredentialsProvider.track(run, text);
            return text.getSecret().getPlainText().getBytes(StandardCharsets.UTF_8);
        }
        FileCredentials file = CredentialsProvider.findCredentialById(id, FileCredentials.class, run);
        if (file != null) {
            CredentialsProvider.track(run, file);
            try (InputStream in = file.getContent()) {
                return in.readAllBytes();
            }
        }
        throw new AbortException(missing);
    }

    /**
     * The evidence signing key's PEM bytes. Looked up at the root only (as the admins' form lists it), so a folder
     * credential with the same id cannot stand in for the admins' key.
     */
    private static byte[] signingKey(String id) throws IOException {
        StandardCredentials c = CredentialsMatchers.firstOrNull(CredentialsProvider.lookupCredentialsInItemGroup(
                StandardCredentials.class, JENKINS.jenkins(), ACL.SYSTEM2, List.of()), CredentialsMatchers.withId(id));
        if (c instanceof StringCredentials text) {
            return text.getSecret().getPlainText().getBytes(StandardCharsets.US_ASCII);
        }
        if (c instanceof FileCredentials file) {
            try (InputStream in = file.getContent()) {
                return in.readAllBytes();
            }
        }
        throw new AbortException(Messages.AgentRunStep_NoSigningKey(id));
    }

    /** The plugin's version, recorded in the evidence as the toolchain's Agent Gate version. */
    private static String version() {
        PluginWrapper p = JENKINS.jenkins().getPluginManager().whichPlugin(AgentRunStep.class);
        return p == null ? "development" : p.getVersion();
    }

    /** Archives the run's evidence directory as {@code agentgate/<runId>/…} and removes it from the agent. */
    private static List<String> archive(Run<?, ?> run, Launcher launcher, TaskListener listener, FilePath root, String dir)
            throws IOException, InterruptedException {
        if (dir == null) {
            return List.of();
        }
        FilePath runDir = root.child(dir);
        Map<String, String> files = new LinkedHashMap<>();
        for (FilePath f : runDir.list("**/*")) {
            String rel = f.getRemote().substring(root.getRemote().length() + 1).replace('\\', '/');
            files.put(ARTIFACT_ROOT + rel, rel);
        }
        if (!files.isEmpty()) {
            run.pickArtifactManager().archive(root, launcher, BuildListenerAdapter.wrap(listener), files);
        }
        runDir.deleteRecursive();
        return new ArrayList<>(files.keySet());
    }
}
