package io.jenkins.plugins.agentgate.plugin.steps;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.json.Digests;
import io.jenkins.plugins.agentgate.core.policy.PolicyEngine;
import io.jenkins.plugins.agentgate.core.policy.PolicyResult;
import io.jenkins.plugins.agentgate.core.profile.DefaultCatalog;
import io.jenkins.plugins.agentgate.core.run.Approval;
import io.jenkins.plugins.agentgate.core.run.RunContext;
import io.jenkins.plugins.agentgate.plugin.approval.ApprovalQuestion;
import io.jenkins.plugins.agentgate.plugin.approval.ApprovalVote;
import io.jenkins.plugins.agentgate.plugin.approval.IdKeys;
import io.jenkins.plugins.agentgate.plugin.approval.IdMatcher;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The controller's approval holds only for the plan and prompt it was given for. */
class PreApprovalTest {

    private static RunContext context(String task) {
        return context(task, ExecutionClass.DRAFT);
    }

    private static RunContext context(String task, ExecutionClass c) {
        RunRequest request = RunRequest.builder(c).image("agentgate-test/busybox:1").requester("rita").build();
        PolicyResult result = new PolicyEngine().decide(DefaultCatalog.get(), request);
        assertThat(result.allowed()).as("the built-in profile allows this request: %s", result.denials()).isTrue();
        return new RunContext("r1", request, result, result.plan(), task, Digests.sha256Hex(task), Path.of("/ws"), List.of("true"),
                Instant.EPOCH);
    }

    @Test
    void grantsForTheSamePlanAndPrompt() {
        RunContext ctx = context("do it");
        Approval a = new PreApproval(true, "approved by alice", List.of("alice"), ctx.plan().policyHash(), ctx.promptSha256()).check(ctx);
        assertThat(a.granted()).isTrue();
        assertThat(a.approvers()).containsExactly("alice");
    }

    @Test
    void refusesAnotherPromptOrPolicy() {
        RunContext ctx = context("do it");
        assertThat(new PreApproval(true, "ok", List.of("alice"), ctx.plan().policyHash(), Digests.sha256Hex("something else"))
                .check(ctx).granted()).isFalse();
        Approval other = new PreApproval(true, "ok", List.of("alice"), "sha256:00", ctx.promptSha256()).check(ctx);
        assertThat(other.granted()).isFalse();
        assertThat(other.reason()).contains("different plan").contains("sha256:00");
    }

    @Test
    void refusesWhatTheEngineDidNotApprove() {
        RunContext ctx = context("do it");
        Approval a = new PreApproval(false, "pending: needs one owner approval", List.of(), ctx.plan().policyHash(), ctx.promptSha256())
                .check(ctx);
        assertThat(a.granted()).isFalse();
        assertThat(a.reason()).isEqualTo("pending: needs one owner approval");
    }

    private static PreApproval withRecords(RunContext ctx, boolean granted, List<ApprovalVote> votes) {
        ApprovalQuestion q = new ApprovalQuestion(ctx.plan().executionClass().id(), ctx.plan().effective().id(),
                ctx.plan().policyHash(), ctx.promptSha256(), null, List.of(), null, "rita");
        IdMatcher exact = new IdMatcher() {
            @Override
            public String userKey(String id) {
                return id;
            }

            @Override
            public String groupKey(String id) {
                return id;
            }
        };
        return new PreApproval(granted, granted ? "ok" : "pending", List.of(), ctx.plan().policyHash(), ctx.promptSha256(), q, votes,
                "2026-11-27T12:00:00Z", IdKeys.of(exact, ctx.plan(), votes));
    }

    @Test
    void repeatsCoresEvaluationSoTheEvidenceGetsItsRecords() {
        RunContext ctx = context("do it");
        Approval a = withRecords(ctx, true, List.of()).check(ctx, List.of());
        assertThat(a.granted()).isTrue();
        assertThat(a.status()).isNotNull();
        assertThat(a.status().records()).extracting(r -> r.event().id()).contains("not-required");
    }

    @Test
    void refusesWhenCoreDoesNotRepeatTheControllersApproval() {
        RunContext ctx = context("do it", ExecutionClass.DELIVERY);
        ApprovalVote self = new ApprovalVote("rita", List.of(), true, true, "sha256:" + "0".repeat(64), "2026-11-27T11:00:00Z", "");
        Approval a = withRecords(ctx, true, List.of(self)).check(ctx, List.of());
        assertThat(a.granted()).isFalse();
        assertThat(a.reason()).contains("does not hold on the agent");
        assertThat(a.status().records()).isNotEmpty();
    }
}
