package io.jenkins.plugins.agentgate.plugin.approval;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.json.Digests;
import io.jenkins.plugins.agentgate.core.policy.PolicyEngine;
import io.jenkins.plugins.agentgate.core.policy.PolicyResult;
import io.jenkins.plugins.agentgate.core.policy.RunPlan;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import io.jenkins.plugins.agentgate.plugin.request.RequestFields;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What build.xml keeps of a request reads back whole; core's engine decides through the plugin's adapter. */
class ApprovalRecordTest {

    static final RequestFields FIELDS = new RequestFields("delivery", null, "img:1", List.of("git"), List.of("gh-token"), null, "10m",
            "m1", "bump the parser", "pom.xml | 2 +-", "open a PR", "rita");
    static final ApprovalQuestion QUESTION = new ApprovalQuestion("delivery", "delivery-default", "sha256:ab", "cd", "pom.xml | 2 +-",
            List.of("gh-token (env, 30m)"), "open a PR", "rita");

    @Test
    void fieldsQuestionAndVotesRoundTripThroughTheStoredJson() {
        ApprovalRecord r = new ApprovalRecord("a1", FIELDS, QUESTION, "sha256:d1", "2026-11-27T15:00:00Z", "2026-11-28T15:00:00Z");
        ApprovalVote vote = new ApprovalVote("alice", List.of("release-managers"), false, true, "sha256:d1", "2026-11-27T15:01:00Z", "ok");
        r.addVote(vote);
        assertThat(r.fields()).isEqualTo(FIELDS);
        assertThat(r.getQuestion()).isEqualTo(QUESTION);
        assertThat(r.getVotes()).containsExactly(vote);
        assertThat(r.isOpen()).isTrue();
        r.update(new ApprovalVerdict(ApprovalState.APPROVED, "owner approval by alice", List.of("alice")));
        assertThat(r.isOpen()).isFalse();
        assertThat(r.getApprovers()).containsExactly("alice");
    }

    private static final String CATALOG = """
            apiVersion: agentgate/v1
            profiles:
              - id: delivery-team
                image: {allowed: ["busybox:*"], default: "busybox:stable"}
                approval:
                  mode: owner
                  approvers: {users: [alice], groups: [release]}
              - id: docs-only
                approval: {mode: none}
            classes:
              delivery: delivery-team
              draft: docs-only
            """;
    private static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");
    private static final IdMatcher CASE_INSENSITIVE = new IdMatcher() {
        @Override
        public String userKey(String id) {
            return id.toLowerCase(java.util.Locale.ROOT);
        }

        @Override
        public String groupKey(String id) {
            return id.toLowerCase(java.util.Locale.ROOT);
        }
    };

    private static RunPlan plan(ExecutionClass c) throws Exception {
        RunRequest request = RunRequest.builder(c).image("busybox:stable").requester("carol").build();
        PolicyResult result = new PolicyEngine().decide(CatalogParser.parse("test", CATALOG), request);
        assertThat(result.allowed()).as("%s", result.denials()).isTrue();
        return result.plan();
    }

    private static ApprovalQuestion question(RunPlan plan, String diff) {
        return new ApprovalQuestion(plan.executionClass().id(), plan.effective().id(), plan.policyHash(),
                Digests.sha256Hex("bump the parser"), diff, List.of(), "open a PR", "carol");
    }

    private static ApprovalVote vote(String user, List<String> groups, boolean admin, boolean approve, String digest) {
        return new ApprovalVote(user, groups, admin, approve, digest, NOW.minusSeconds(60).toString(), approve ? "" : "not now");
    }

    @Test
    void theDigestIsCoresAndChangesWithWhatIsApproved() throws Exception {
        CoreApprovalEngine engine = new CoreApprovalEngine();
        RunPlan plan = plan(ExecutionClass.DELIVERY);
        String d = engine.digest(plan, question(plan, "pom.xml | 2 +-"));
        assertThat(d).matches("sha256:[0-9a-f]{64}").isEqualTo(engine.digest(plan, question(plan, "pom.xml | 2 +-")));
        assertThat(engine.digest(plan, question(plan, "pom.xml | 3 ++-"))).isNotEqualTo(d);
        ApprovalQuestion otherAction = new ApprovalQuestion("delivery", "delivery-team", plan.policyHash(),
                Digests.sha256Hex("bump the parser"), "pom.xml | 2 +-", List.of(), "merge it", "carol");
        assertThat(engine.digest(plan, otherAction)).isNotEqualTo(d);
    }

    @Test
    void coresRulesDecide() throws Exception {
        CoreApprovalEngine engine = new CoreApprovalEngine();
        RunPlan draft = plan(ExecutionClass.DRAFT);
        assertThat(engine.evaluate(draft, List.of(), question(draft, null), "bump the parser", List.of(), NOW, CASE_INSENSITIVE)
                .state()).isEqualTo(ApprovalState.APPROVED);

        RunPlan plan = plan(ExecutionClass.DELIVERY);
        ApprovalQuestion q = question(plan, "pom.xml | 2 +-");
        String d = engine.digest(plan, q);
        ApprovalVerdict pending = engine.evaluate(plan, List.of(), q, "bump the parser", List.of(), NOW, CASE_INSENSITIVE);
        assertThat(pending.state()).isEqualTo(ApprovalState.PENDING);
        assertThat(pending.reason()).contains("needs 1 more approval").contains("requester carol excluded");

        // The requester cannot approve, even as an administrator (the profile allows no bypass).
        ApprovalVerdict self = engine.evaluate(plan, List.of(), q, "bump the parser", List.of(vote("Carol", List.of("release"), true,
                true, d)), NOW, CASE_INSENSITIVE);
        assertThat(self.state()).isEqualTo(ApprovalState.PENDING);
        assertThat(self.history()).anySatisfy(h -> assertThat(h).startsWith("refused Carol"));

        ApprovalVerdict viaGroup = engine.evaluate(plan, List.of(), q, "bump the parser",
                List.of(vote("bob", List.of("RELEASE"), false, true, d)), NOW, CASE_INSENSITIVE);
        assertThat(viaGroup.state()).isEqualTo(ApprovalState.APPROVED);
        assertThat(viaGroup.approvers()).containsExactly("bob");

        ApprovalVerdict stale = engine.evaluate(plan, List.of(), question(plan, "pom.xml | 3 ++-"), "bump the parser",
                List.of(vote("alice", List.of(), false, true, d)), NOW, CASE_INSENSITIVE);
        assertThat(stale.state()).isEqualTo(ApprovalState.STALE);
        assertThat(stale.history()).anySatisfy(h -> assertThat(h).startsWith("stale alice"));

        ApprovalVerdict rejected = engine.evaluate(plan, List.of(), q, "bump the parser",
                List.of(vote("bob", List.of("release"), false, true, d), vote("alice", List.of(), false, false, d)), NOW,
                CASE_INSENSITIVE);
        assertThat(rejected.state()).isEqualTo(ApprovalState.REJECTED);
        assertThat(rejected.reason()).contains("rejected by alice").contains("not now");
    }
}
