package io.jenkins.plugins.agentgate.plugin.approval;

import static org.assertj.core.api.Assertions.assertThat;

import hudson.model.Cause;
import hudson.model.CauseAction;
import hudson.model.Item;
import hudson.model.Result;
import io.jenkins.plugins.agentgate.plugin.config.AgentGateConfiguration;
import java.net.URL;
import java.util.List;
import jenkins.model.Jenkins;
import org.htmlunit.FailingHttpStatusCodeException;
import org.htmlunit.HttpMethod;
import org.htmlunit.WebRequest;
import org.htmlunit.util.NameValuePair;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.jenkinsci.plugins.workflow.steps.StepConfigTester;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.MockAuthorizationStrategy;
import org.jvnet.hudson.test.junit.jupiter.BuildWatcherExtension;
import org.jvnet.hudson.test.junit.jupiter.JenkinsSessionExtension;

/**
 * {@code agentApprove} end to end: the page, its POST endpoints, the waiting build, restarts. The rules are
 * core's approvals engine's (connected through {@link ApprovalEngine}); these tests check that the plugin feeds
 * it the right question, votes, identities and id strategy, and acts on its answers.
 */
class AgentApproveStepTest {

    @RegisterExtension
    static BuildWatcherExtension buildWatcher = new BuildWatcherExtension();

    @RegisterExtension
    JenkinsSessionExtension sessions = new JenkinsSessionExtension();

    static final String CATALOG = """
            apiVersion: agentgate/v1
            classes:
              delivery: t-delivery
              privileged: t-privileged
            profiles:
              - id: t-delivery
                image: {default: "agentgate-test/busybox:1"}
                approval:
                  mode: owner
                  approvers: {users: [alice], groups: [release-managers]}
              - id: t-privileged
                image: {default: "agentgate-test/busybox:1"}
                approval:
                  mode: dual
                  approvers: {groups: [release-managers, sre]}
                  distinctGroups: true
            """;

    static final String APPROVE_DELIVERY =
            "def r = agentApprove(executionClass: 'delivery', task: 'bump the parser dependency', approvalTimeout: '1h',"
                    + " diffSummary: 'pom.xml | 2 +-', plannedAction: 'open a pull request')\n"
                    + "echo \"approved ${r.approvalRequestId} by ${r.approvers}\"";

    private static void setUp(JenkinsRule j) throws Exception {
        JenkinsRule.DummySecurityRealm realm = j.createDummySecurityRealm();
        realm.addGroups("bob", "release-managers");
        realm.addGroups("carol", "sre");
        realm.addGroups("dave", "release-managers");
        realm.addGroups("rita", "release-managers"); // the requester is in the approver set: still not allowed
        j.jenkins.setSecurityRealm(realm);
        j.jenkins.setAuthorizationStrategy(new MockAuthorizationStrategy()
                .grant(Jenkins.READ, Item.READ, Item.BUILD).everywhere().to("alice", "bob", "carol", "dave", "rita")
                .grant(Jenkins.READ).everywhere().to("mallory")
                .grant(Jenkins.ADMINISTER).everywhere().to("admin"));
        AgentGateConfiguration.get().setCatalogYaml(CATALOG);
    }

    /** Starts the script as a build requested by rita and waits until it asks for approval. */
    private static WorkflowRun startAsRita(JenkinsRule j, String script) throws Exception {
        WorkflowJob p = j.createProject(WorkflowJob.class, "p");
        p.setDefinition(new CpsFlowDefinition(script, true));
        WorkflowRun b = p.scheduleBuild2(0, new CauseAction(new Cause.UserIdCause("rita"))).waitForStart();
        j.waitForMessage("Waiting for approval of request", b);
        return b;
    }

    private static ApprovalRecord onlyRecord(WorkflowRun b) {
        List<ApprovalRecord> records = b.getAction(AgentApprovalAction.class).getRecords();
        assertThat(records).hasSize(1);
        return records.get(0);
    }

    /** Posts a vote as {@code user} with the digest shown on the page; returns the HTTP status. */
    private static int vote(JenkinsRule j, WorkflowRun b, String user, boolean approve, String comment) throws Exception {
        ApprovalRecord r = onlyRecord(b);
        JenkinsRule.WebClient wc = j.createWebClient().withThrowExceptionOnFailingStatusCode(false);
        if (user != null) {
            wc.login(user);
        }
        WebRequest req = new WebRequest(new URL(j.getURL(), b.getUrl() + "agentgate-approval/" + (approve ? "approve" : "reject")),
                HttpMethod.POST);
        req.setRequestParameters(List.of(new NameValuePair("id", r.getId()), new NameValuePair("digest", r.getDigest()),
                new NameValuePair("comment", comment)));
        return wc.getPage(wc.addCrumb(req)).getWebResponse().getStatusCode();
    }

    @Test
    void formRoundTrips() throws Throwable {
        sessions.then(j -> {
            AgentApproveStep s = new AgentApproveStep("bump the parser", "delivery");
            s.setApprovalTimeout("4h");
            s.setMessage("please look at the diff");
            s.setDiffSummary("pom.xml | 2 +-");
            s.setPlannedAction("open a pull request");
            j.assertEqualDataBoundBeans(s, new StepConfigTester(j).configRoundTrip(s));
        });
    }

    @Test
    void oneOwnerApprovalLetsTheBuildGoOnAndTheRunSeesIt() throws Throwable {
        sessions.then(j -> {
            setUp(j);
            WorkflowRun b = startAsRita(j, APPROVE_DELIVERY);
            assertThat(b.getExecutor()).as("waiting holds no executor").isNull();
            ApprovalRecord r = onlyRecord(b);
            assertThat(r.getQuestion().policyHash()).startsWith("sha256:");
            assertThat(r.getQuestion().diffSummary()).isEqualTo("pom.xml | 2 +-");
            assertThat(r.getQuestion().requester()).isEqualTo("rita");
            assertThat(vote(j, b, "alice", true, "looks right")).isEqualTo(200);
            j.assertBuildStatusSuccess(j.waitForCompletion(b));
            j.assertLogContains("approved " + r.getId() + " by [alice]", b);
            assertThat(onlyRecord(b).getState()).isEqualTo(ApprovalState.APPROVED);
            assertThat(onlyRecord(b).getVotes()).singleElement().satisfies(v -> {
                assertThat(v.userId()).isEqualTo("alice");
                assertThat(v.digest()).isEqualTo(r.getDigest());
                assertThat(v.comment()).isEqualTo("looks right");
            });
        });
    }

    @Test
    void theRequesterCannotApproveTheirOwnRequest() throws Throwable {
        sessions.then(j -> {
            setUp(j);
            WorkflowRun b = startAsRita(j, APPROVE_DELIVERY);
            assertThat(vote(j, b, "rita", true, "mine")).isEqualTo(200);
            assertThat(b.isBuilding()).isTrue();
            assertThat(onlyRecord(b).getState()).isEqualTo(ApprovalState.PENDING);
            assertThat(onlyRecord(b).getApprovers()).isEmpty();
            assertThat(vote(j, b, "bob", true, "")).isEqualTo(200);
            j.assertBuildStatusSuccess(j.waitForCompletion(b));
            assertThat(onlyRecord(b).getApprovers()).containsExactly("bob");
        });
    }

    @Test
    void aRejectionAbortsTheBuildNamingTheRejecter() throws Throwable {
        sessions.then(j -> {
            setUp(j);
            WorkflowRun b = startAsRita(j, APPROVE_DELIVERY);
            assertThat(vote(j, b, "bob", false, "wrong dependency")).isEqualTo(200);
            j.assertBuildStatus(Result.ABORTED, j.waitForCompletion(b));
            j.assertLogContains("was rejected by bob", b);
            assertThat(onlyRecord(b).getState()).isEqualTo(ApprovalState.REJECTED);
        });
    }

    @Test
    void dualControlNeedsTwoDistinctPeopleFromTwoGroups() throws Throwable {
        sessions.then(j -> {
            setUp(j);
            WorkflowRun b = startAsRita(j, "agentApprove(executionClass: 'privileged', task: 'rotate the key', approvalTimeout: '1h')");
            assertThat(vote(j, b, "bob", true, "")).isEqualTo(200);
            assertThat(vote(j, b, "BOB", true, "again")).isEqualTo(200);
            assertThat(vote(j, b, "dave", true, "same group as bob")).isEqualTo(200);
            assertThat(b.isBuilding()).isTrue();
            assertThat(onlyRecord(b).getState()).isEqualTo(ApprovalState.PENDING);
            assertThat(vote(j, b, "carol", true, "")).isEqualTo(200);
            j.assertBuildStatusSuccess(j.waitForCompletion(b));
            assertThat(onlyRecord(b).getApprovers()).hasSize(2).contains("carol");
        });
    }

    @Test
    void votesNeedPostReadPermissionAndALogin() throws Throwable {
        sessions.then(j -> {
            setUp(j);
            WorkflowRun b = startAsRita(j, APPROVE_DELIVERY);
            assertThat(vote(j, b, "mallory", true, "")).isIn(403, 404);
            assertThat(vote(j, b, null, true, "")).isIn(403, 404);
            JenkinsRule.WebClient wc = j.createWebClient().withThrowExceptionOnFailingStatusCode(false).login("alice");
            int get = wc.goTo(b.getUrl() + "agentgate-approval/approve?id=" + onlyRecord(b).getId()).getWebResponse().getStatusCode();
            assertThat(get).isEqualTo(405);
            assertThat(onlyRecord(b).getVotes()).isEmpty();
            assertThat(b.isBuilding()).isTrue();
            b.doStop();
            j.waitForCompletion(b);
        });
    }

    @Test
    void aTimeoutAbortsWithACauseThatSaysSo() throws Throwable {
        sessions.then(j -> {
            setUp(j);
            WorkflowJob p = j.createProject(WorkflowJob.class, "t");
            p.setDefinition(new CpsFlowDefinition(
                    "agentApprove(executionClass: 'delivery', task: 'x', approvalTimeout: '3s')", true));
            WorkflowRun b = j.assertBuildStatus(Result.ABORTED, p.scheduleBuild2(0));
            j.assertLogContains("timed out after 3s", b);
            assertThat(onlyRecord(b).getState()).isEqualTo(ApprovalState.EXPIRED);
        });
    }

    @Test
    void aWaitingApprovalSurvivesAControllerRestart() throws Throwable {
        String[] id = new String[1];
        sessions.then(j -> {
            setUp(j);
            WorkflowRun b = startAsRita(j, APPROVE_DELIVERY);
            id[0] = onlyRecord(b).getId();
        });
        sessions.then(j -> {
            WorkflowRun b = j.jenkins.getItemByFullName("p", WorkflowJob.class).getBuildByNumber(1);
            assertThat(b.isBuilding()).isTrue();
            assertThat(onlyRecord(b).getId()).isEqualTo(id[0]);
            assertThat(vote(j, b, "alice", true, "after the restart")).isEqualTo(200);
            j.assertBuildStatusSuccess(j.waitForCompletion(b));
            j.assertLogContains("approved " + id[0] + " by [alice]", b);
        });
    }

    @Test
    void aChangedRequestIsNotCoveredByAnEarlierApproval() throws Throwable {
        sessions.then(j -> {
            setUp(j);
            // agentRun with another prompt than the one approved: refused before any container starts.
            WorkflowRun b = startAsRita(j, APPROVE_DELIVERY + "\nnode { agentRun(executionClass: 'delivery', task: 'something else',"
                    + " diffSummary: 'pom.xml | 2 +-', plannedAction: 'open a pull request', command: ['true']) }");
            assertThat(vote(j, b, "alice", true, "")).isEqualTo(200);
            j.assertBuildStatus(Result.FAILURE, j.waitForCompletion(b));
            j.assertLogContains("the run is not approved", b);
        });
    }
}
