package io.jenkins.plugins.agentgate.plugin.approval;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.profile.ApprovalRule;
import io.jenkins.plugins.agentgate.plugin.request.RequestFields;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What build.xml keeps of a request reads back whole; the fail-closed engine approves nothing that needs a human. */
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

    @Test
    void theDigestChangesWithAnyFieldOfTheQuestion() {
        NotConnectedApprovalEngine engine = new NotConnectedApprovalEngine();
        String d = engine.digest(QUESTION);
        assertThat(engine.digest(QUESTION)).isEqualTo(d);
        assertThat(engine.digest(new ApprovalQuestion("delivery", "delivery-default", "sha256:ab", "cd", "pom.xml | 3 ++-",
                List.of("gh-token (env, 30m)"), "open a PR", "rita"))).isNotEqualTo(d);
        assertThat(engine.digest(new ApprovalQuestion("delivery", "delivery-default", "sha256:ab", "cd", "pom.xml | 2 +-",
                List.of("gh-token (env, 60m)"), "open a PR", "rita"))).isNotEqualTo(d);
    }

    @Test
    void withoutAnEngineOnlyProfilesWithoutApprovalPass() {
        NotConnectedApprovalEngine engine = new NotConnectedApprovalEngine();
        IdMatcher ids = new IdMatcher() {
            @Override
            public boolean sameUser(String a, String b) {
                return a.equals(b);
            }

            @Override
            public boolean sameGroup(String a, String b) {
                return a.equals(b);
            }
        };
        assertThat(engine.evaluate(ApprovalRule.none(), QUESTION, List.of(), Instant.EPOCH, ids).state()).isEqualTo(ApprovalState.APPROVED);
        ApprovalRule owner = new ApprovalRule(io.jenkins.plugins.agentgate.core.profile.ApprovalMode.OWNER,
                ApprovalRule.none().approvers(), false, java.time.Duration.ofHours(1), List.of(), List.of(), false);
        ApprovalVote alice = new ApprovalVote("alice", List.of(), true, true, engine.digest(QUESTION), "2026-11-27T15:01:00Z", "");
        ApprovalVerdict v = engine.evaluate(owner, QUESTION, List.of(alice), Instant.EPOCH, ids);
        assertThat(v.state()).isEqualTo(ApprovalState.PENDING);
        assertThat(v.reason()).contains("no approvals engine is connected");
    }
}
