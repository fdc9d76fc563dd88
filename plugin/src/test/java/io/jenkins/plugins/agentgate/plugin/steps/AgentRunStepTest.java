package io.jenkins.plugins.agentgate.plugin.steps;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import hudson.model.Result;
import hudson.util.Secret;
import io.jenkins.plugins.agentgate.plugin.config.AgentGateConfiguration;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.jenkinsci.plugins.plaincredentials.impl.StringCredentialsImpl;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.jenkinsci.plugins.workflow.steps.StepConfigTester;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.BuildWatcherExtension;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/**
 * {@code agentRun} in real Pipelines. Tests that start containers need Docker and the local test image; the
 * others (denials, argument errors, forms) need only Jenkins: a denied run is still a run with evidence.
 */
@WithJenkins
class AgentRunStepTest {

    @RegisterExtension
    static BuildWatcherExtension buildWatcher = new BuildWatcherExtension();

    /** Each class gets a profile without approval, so that the run itself is what is tested here. */
    static final String CATALOG = """
            apiVersion: agentgate/v1
            classes:
              draft: t-draft
              delivery: t-delivery
              privileged: t-privileged
            profiles:
              - id: t-draft
                image: {default: "agentgate-test/busybox:1"}
                credentials: {allowed: [api-token], injection: [env]}
                limits: {timeout: 2m}
              - id: t-delivery
                image: {default: "agentgate-test/busybox:1"}
                limits: {timeout: 2m}
              - id: t-privileged
                image: {default: "agentgate-test/busybox:1"}
                limits: {timeout: 2m}
            """;

    static final String SECRET = "s3cr3t-Value-9f2c1e";

    private static WorkflowRun build(JenkinsRule j, String script, Result expected) throws Exception {
        return build(j, CATALOG, script, expected);
    }

    private static WorkflowRun build(JenkinsRule j, String catalog, String script, Result expected) throws Exception {
        AgentGateConfiguration.get().setCatalogYaml(catalog);
        WorkflowJob p = j.createProject(WorkflowJob.class);
        p.setDefinition(new CpsFlowDefinition(script, true));
        return j.assertBuildStatus(expected, p.scheduleBuild2(0));
    }

    private static String artifact(WorkflowRun b, String path) throws IOException {
        try (InputStream in = b.getArtifactManager().root().child(path).open()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void agentRunFormRoundTrips(JenkinsRule j) throws Exception {
        AgentRunStep s = new AgentRunStep("Summarise the open issues", "draft");
        s.setProfile("t-draft");
        s.setImage("agentgate-test/busybox:1");
        s.setModel("some-model");
        s.setTimeout("5m");
        s.setDiffSummary("3 files changed");
        s.setPlannedAction("write SUMMARY.md");
        s.setReturnStatus(true);
        j.assertEqualDataBoundBeans(s, new StepConfigTester(j).configRoundTrip(s));
    }

    @Test
    void aDeniedRunFailsNamingTheDecisionAndStillLeavesEvidence(JenkinsRule j) throws Exception {
        WorkflowRun b = build(j, "node { agentRun(executionClass: 'draft', task: 'tidy up', command: ['true'], tools: ['rm']) }",
                Result.FAILURE);
        j.assertLogContains("the policy denied the run", b);
        j.assertLogContains("rm", b);
        AgentRunAction a = b.getAction(AgentRunAction.class);
        assertThat(a.getStatus()).isEqualTo("denied");
        assertThat(a.getDecisions()).anyMatch(d -> d.contains("rm"));
        String record = a.getEvidence().stream().filter(e -> e.endsWith("/evidence.json")).findFirst().orElseThrow();
        assertThat(record).startsWith("agentgate/" + a.getRunId() + "/");
        assertThat(artifact(b, record)).contains(a.getRunId()).containsIgnoringCase("denied");
    }

    @Test
    void aMissingConnectorCredentialFailsTheRunNamingConnectorAndId(JenkinsRule j) throws Exception {
        String catalog = """
                apiVersion: agentgate/v1
                classes:
                  draft: t-tools
                connectors:
                  - id: tracker
                    command: [tracker-mcp]
                    credentials: [{id: tracker-token, env: TRACKER_TOKEN}]
                profiles:
                  - id: t-tools
                    image: {default: "agentgate-test/busybox:1"}
                    tools:
                      - name: list_issues
                        connector: tracker
                    limits: {timeout: 2m}
                """;
        // Resolved on the controller once the run is granted, before any agent work: no Docker needed.
        WorkflowRun b = build(j, catalog, "node { agentRun(executionClass: 'draft', task: 't', command: ['true']) }", Result.FAILURE);
        j.assertLogContains("connector 'tracker' of the granted profile needs credential 'tracker-token'", b);
    }

    @Test
    void anUnknownClassIsRefusedNamingTheArgument(JenkinsRule j) throws Exception {
        WorkflowRun b = build(j, "node { agentRun(executionClass: 'urgent', task: 'x', command: ['true']) }", Result.FAILURE);
        j.assertLogContains("executionClass: execution class 'urgent' is not known; expected one of draft, delivery, privileged", b);
        assertThat(b.getAction(AgentRunAction.class)).isNull();
    }

    @Test
    void aRunWithoutCommandIsRefused(JenkinsRule j) throws Exception {
        WorkflowRun b = build(j, "node { agentRun(executionClass: 'draft', task: 'x') }", Result.FAILURE);
        j.assertLogContains("command is empty", b);
    }

    @Test
    void aTaskFileOutsideTheWorkspaceIsRefused(JenkinsRule j) throws Exception {
        WorkflowRun b = build(j, "node { agentRun(executionClass: 'draft', taskFile: '../outside.md', command: ['true']) }",
                Result.FAILURE);
        j.assertLogContains("taskFile: '../outside.md' is not inside the workspace", b);
    }

    @Test
    void eachClassRunsOnTheAgentAndArchivesItsEvidence(JenkinsRule j) throws Exception {
        assumeTrue(Sandboxes.ready(), Sandboxes::missing);
        j.createOnlineSlave(); // the run must happen on the agent, not on the built-in node
        for (String cls : List.of("draft", "delivery", "privileged")) {
            WorkflowRun b = build(j, "node('!built-in') {\n"
                    + "  writeFile file: 'task.md', text: 'say hello'\n"
                    + "  def r = agentRun(executionClass: '" + cls + "', taskFile: 'task.md',"
                    + " command: ['sh', '-c', 'echo hello from $(cat $AGENTGATE_TASK_FILE | wc -c) bytes'])\n"
                    + "  echo \"status=${r.status} exit=${r.exitCode} evidence=${r.evidencePath} policy=${r.policyHash}\"\n"
                    + "}", Result.SUCCESS);
            j.assertLogContains("hello from 9 bytes", b);
            j.assertLogContains("status=succeeded exit=0 evidence=agentgate/", b);
            AgentRunAction a = b.getAction(AgentRunAction.class);
            assertThat(a.getExecutionClass()).isEqualTo(cls);
            assertThat(a.getProfile()).isEqualTo("t-" + cls);
            assertThat(a.getPolicyHash()).startsWith("sha256:");
            String record = a.getEvidence().stream().filter(e -> e.endsWith("/evidence.json")).findFirst().orElseThrow();
            assertThat(artifact(b, record)).contains(a.getRunId()).contains(a.getPolicyHash());
        }
    }

    @Test
    void aFailingAgentFailsTheStepUnlessReturnStatus(JenkinsRule j) throws Exception {
        assumeTrue(Sandboxes.ready(), Sandboxes::missing);
        WorkflowRun failed = build(j, "node { agentRun(executionClass: 'draft', task: 't', command: ['sh', '-c', 'exit 3']) }",
                Result.FAILURE);
        j.assertLogContains("the agent failed: the agent exited with status 3", failed);
        WorkflowRun returned = build(j, "node { def r = agentRun(executionClass: 'draft', task: 't', returnStatus: true,"
                + " command: ['sh', '-c', 'exit 3']); echo \"got ${r.status} ${r.exitCode}\" }", Result.SUCCESS);
        j.assertLogContains("got agent-failed 3", returned);
    }

    @Test
    void aLeasedSecretIsMaskedAndNowhereInTheBuildDirectory(JenkinsRule j) throws Exception {
        assumeTrue(Sandboxes.ready(), Sandboxes::missing);
        SystemCredentialsProvider.getInstance().getCredentials().add(
                new StringCredentialsImpl(CredentialsScope.GLOBAL, "api-token", "test token", Secret.fromString(SECRET)));
        WorkflowRun b = build(j, "node { agentRun(executionClass: 'draft', task: 't', credentials: ['api-token'],"
                + " command: ['sh', '-c', 'echo token=$API_TOKEN; test -n \"$API_TOKEN\"']) }", Result.SUCCESS);
        j.assertLogContains("token=****", b);
        j.assertLogNotContains(SECRET, b);
        try (Stream<Path> files = Files.walk(b.getRootDir().toPath())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain(SECRET);
            }
        }
    }
}
