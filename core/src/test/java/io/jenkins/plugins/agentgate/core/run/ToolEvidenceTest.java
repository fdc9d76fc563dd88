package io.jenkins.plugins.agentgate.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.agentgate.core.evidence.EvidenceSchema;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.gateway.GatewaySummary;
import io.jenkins.plugins.agentgate.core.gateway.ToolCallRecord;
import io.jenkins.plugins.agentgate.core.gateway.ToolRules;
import io.jenkins.plugins.agentgate.core.gateway.ToolVerdict;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.json.Digests;
import io.jenkins.plugins.agentgate.core.policy.PolicyEngine;
import io.jenkins.plugins.agentgate.core.policy.PolicyResult;
import io.jenkins.plugins.agentgate.core.profile.DefaultCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The tool gateway's records in the evidence: section, runtime denials, unauthorized count, masking, schema. */
class ToolEvidenceTest {
    @TempDir
    Path tmp;

    RunOutcome deniedOutcome() throws java.io.IOException {
        Files.createDirectories(tmp.resolve("ws"));
        RunRequest request = RunRequest.builder(ExecutionClass.DRAFT).requester("carol").tools(List.of("curl")).build();
        PolicyResult policy = new PolicyEngine().decide(DefaultCatalog.get(), request);
        Instant t = Instant.parse("2026-11-27T10:00:00Z");
        return new RunOutcome("tools-1", RunStatus.DENIED, "policy denied", request, policy, policy.plan(), null, null,
                Digests.sha256Hex("the task"), tmp.resolve("ws"), List.of("agent"), List.of(), t, t.plusSeconds(1), null);
    }

    @Test
    void gatewayRecordsBecomeTheToolsSectionAndDenialsCountAsUnauthorized() throws Exception {
        String secret = "tok-" + "7e".repeat(10);
        Instant t = Instant.parse("2026-11-27T10:00:00.5Z");
        List<ToolCallRecord> records = List.of(
                new ToolCallRecord(1, "read_file", "fs", "a".repeat(64), ToolVerdict.ALLOWED, ToolRules.ALLOWED, "declared", 12, 340, t),
                new ToolCallRecord(2, "read_file", "fs", "b".repeat(64), ToolVerdict.DENIED, ToolRules.ARGUMENT_PREFIX,
                        "argument 'path' ('" + secret + "') is not under [docs]", 0, 0, t.plusMillis(20)),
                new ToolCallRecord(3, "delete_repo", "", "c".repeat(64), ToolVerdict.DENIED, ToolRules.NOT_DECLARED,
                        "tool 'delete_repo' is not declared", 0, 0, t.plusMillis(30)),
                new ToolCallRecord(4, "read_file", "fs", "d".repeat(64), ToolVerdict.FAILED, ToolRules.CONNECTOR_FAILED,
                        "connector 'fs' failed", 3000, 0, t.plusMillis(40)));
        // One more denial happened than was kept (record limit): it counts all the same.
        GatewaySummary summary = new GatewaySummary(5, 1, 3, 1, 1);
        RunOutcome o = deniedOutcome();
        RunOutcome masked = new RunOutcome(o.runId(), o.status(), o.message(), o.request(), o.policy(), o.plan(), null, null,
                o.promptSha256(), o.workspace(), o.command(), List.of(), o.startedAt(), o.endedAt(), null,
                new CredentialReport(List.of(), List.of(), s -> s == null ? null : s.replace(secret, "****")), null);

        BundleEvidenceRecorder rec = BundleEvidenceRecorder.builder(tmp.resolve("evidence"), "the task").agentgateVersion("test").build();
        rec.toolCalls(records, summary);
        Path bundle = Path.of(rec.record(masked));
        JsonNode e = CanonicalJson.mapper().readTree(bundle.resolve("evidence.json").toFile());

        assertThat(EvidenceSchema.validate(e)).isEmpty();
        assertThat(e.at("/tools/summary/calls").asLong()).isEqualTo(5);
        assertThat(e.at("/tools/summary/denied").asLong()).isEqualTo(3);
        assertThat(e.at("/tools/summary/droppedRecords").asLong()).isEqualTo(1);
        assertThat(e.get("tools").get("records")).hasSize(4);
        assertThat(e.at("/tools/records/0/verdict").asText()).isEqualTo("allowed");
        assertThat(e.at("/tools/records/0/resultBytes").asLong()).isEqualTo(340);
        assertThat(e.at("/tools/records/1/rule").asText()).isEqualTo(ToolRules.ARGUMENT_PREFIX);
        assertThat(e.at("/tools/records/1/reason").asText()).contains("****").doesNotContain(secret);
        assertThat(e.at("/tools/records/3/verdict").asText()).isEqualTo("failed");
        assertThat(e.get("runtimeDenials")).hasSize(2);
        assertThat(e.at("/runtimeDenials/1/kind").asText()).isEqualTo("tool");
        assertThat(e.at("/runtimeDenials/1/subject").asText()).isEqualTo("delete_repo");
        assertThat(e.at("/runtimeDenials/1/ruleId").asText()).isEqualTo(ToolRules.NOT_DECLARED);
        // From the totals (3), not from the kept records or the runtime denials (2 each).
        assertThat(e.get("unauthorizedAttempts").asLong()).isEqualTo(3);
        assertThat(Files.readString(bundle.resolve("evidence.json"))).doesNotContain(secret);
    }

    @Test
    void withoutAGatewayTheToolsSectionIsNull() throws Exception {
        BundleEvidenceRecorder rec = BundleEvidenceRecorder.builder(tmp.resolve("evidence"), "the task").agentgateVersion("test").build();
        Path bundle = Path.of(rec.record(deniedOutcome()));
        JsonNode e = CanonicalJson.mapper().readTree(bundle.resolve("evidence.json").toFile());
        assertThat(e.has("tools")).isTrue();
        assertThat(e.get("tools").isNull()).isTrue();
        assertThat(e.get("unauthorizedAttempts").asLong()).isZero();
        assertThat(EvidenceSchema.validate(e)).isEmpty();
    }
}
