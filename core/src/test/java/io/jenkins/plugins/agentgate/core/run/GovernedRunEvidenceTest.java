package io.jenkins.plugins.agentgate.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.agentgate.core.approval.ApprovalEngine;
import io.jenkins.plugins.agentgate.core.approval.ApprovalState;
import io.jenkins.plugins.agentgate.core.approval.DecisionKind;
import io.jenkins.plugins.agentgate.core.approval.Ledger;
import io.jenkins.plugins.agentgate.core.approval.LedgerEntry;
import io.jenkins.plugins.agentgate.core.approval.RequestFile;
import io.jenkins.plugins.agentgate.core.credentials.LeaseRecord;
import io.jenkins.plugins.agentgate.core.credentials.LeaseStatus;
import io.jenkins.plugins.agentgate.core.egress.EgressRecord;
import io.jenkins.plugins.agentgate.core.egress.EgressRules;
import io.jenkins.plugins.agentgate.core.egress.EgressSummary;
import io.jenkins.plugins.agentgate.core.egress.EgressVerdict;
import io.jenkins.plugins.agentgate.core.egress.EndReason;
import io.jenkins.plugins.agentgate.core.evidence.BundleVerifier;
import io.jenkins.plugins.agentgate.core.evidence.VerificationReport;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.port.Command;
import io.jenkins.plugins.agentgate.core.port.CommandResult;
import io.jenkins.plugins.agentgate.core.port.CommandRunner;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import io.jenkins.plugins.agentgate.core.sandbox.DockerSandbox;
import io.jenkins.plugins.agentgate.core.sandbox.MountValidator;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxSpecs;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run with the real approvals gate (ledger files) and the real evidence recorder (bundles on disk), over a
 * scripted docker client that writes into the workspace like an agent would (pure orchestration logic; the cli
 * module's RunGovernanceTest runs the same paths on the real engine).
 */
class GovernedRunEvidenceTest {
    private static final String CATALOG = """
            apiVersion: agentgate/v1
            profiles:
              - id: draft-team
              - id: delivery-team
                approval:
                  mode: owner
                  approvers: {users: [alice]}
              - id: privileged-team
                approval:
                  mode: dual
                  approvers: {users: [alice, bob]}
            classes:
              draft: draft-team
              delivery: delivery-team
              privileged: privileged-team
            """;

    @TempDir
    Path tmp;
    Path ws;
    Path evidence;
    ProfileCatalog catalog;

    /** Answers like a docker client; "start" writes a file into the workspace, as the agent would. */
    final CommandRunner docker = (Command c, OutputStream out, OutputStream err, Duration timeout) -> {
        String sub = c.argv().get(1).equals("container") || c.argv().get(1).equals("image") ? c.argv().get(1) + " " + c.argv().get(2)
                : c.argv().get(1);
        String answer = switch (sub) {
            case "version" -> "20.10.24\n";
            case "image inspect" -> "sha256:" + "b".repeat(64) + " []\n";
            case "create" -> "c".repeat(64) + "\n";
            case "start" -> {
                Files.writeString(ws.resolve("out.txt"), "written by the agent\n");
                yield "agent output\n";
            }
            default -> "";
        };
        out.write(answer.getBytes(StandardCharsets.UTF_8));
        return new CommandResult(0, false, Duration.ofMillis(1));
    };

    @BeforeEach
    void setUp() throws Exception {
        ws = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(ws.resolve("a.txt"), "alpha\n");
        evidence = tmp.resolve("evidence");
        catalog = CatalogParser.parse("catalog.yaml", CATALOG);
    }

    RunOutcome run(ExecutionClass cls, Path ledger, BundleEvidenceRecorder.Builder rec, String requester) {
        RunRequest request = RunRequest.builder(cls).image("agentgate-test/busybox:1").requester(requester).build();
        return GovernedRun.builder(new DockerSandbox(docker)).specs(new SandboxSpecs(new MountValidator(List.of()))).scratch(tmp)
                .approvals(new LedgerApprovalGate(ApprovalEngine.LOCAL, catalog.templates(), ledger, Clock.systemUTC()))
                .evidence(rec.catalog(catalog).build())
                .build()
                .execute(new RunInput(catalog, request, "the task", ws, List.of("agent"), new ByteArrayOutputStream()));
    }

    BundleEvidenceRecorder.Builder recorder() {
        return BundleEvidenceRecorder.builder(evidence, "the task").agentgateVersion("test").model("m-1", Map.of("temperature", 0));
    }

    static JsonNode record(RunOutcome o) throws Exception {
        return CanonicalJson.mapper().readTree(Path.of(o.evidence()).resolve("evidence.json").toFile());
    }

    VerificationReport verify(RunOutcome o) {
        return BundleVerifier.verify(Path.of(o.evidence()), null, catalog);
    }

    @Test
    void aSuccessfulRunRecordsCapturesApprovalsAndTheClassProfile() throws Exception {
        RunOutcome o = run(ExecutionClass.DRAFT, null, recorder().artifact("out.txt"), "carol");
        assertThat(o.status()).as(o.message()).isEqualTo(RunStatus.SUCCEEDED);
        JsonNode e = record(o);
        assertThat(e.at("/workspace/kind").asText()).isEqualTo("manifest");
        assertThat(e.at("/workspace/files/0/path").asText()).isEqualTo("out.txt");
        assertThat(e.at("/rollback/kind").asText()).isEqualTo("snapshot-archive");
        assertThat(e.at("/artifacts/0/sha256").asText()).hasSize(64);
        assertThat(e.at("/toolchain/imageDigest").asText()).isEqualTo("sha256:" + "b".repeat(64));
        assertThat(e.at("/toolchain/dockerVersion").asText()).isEqualTo("20.10.24");
        assertThat(e.at("/classProfile/id").asText()).isEqualTo("draft-team");
        assertThat(e.at("/classProfile/hash").asText()).isEqualTo(o.plan().classProfile().hash());
        assertThat(e.get("approvals")).isEmpty();
        assertThat(e.at("/requirements/approvalsRequired").asInt()).isZero();
        assertThat(e.at("/timings/phasesMillis").has("captureBefore")).isTrue();
        // nothing leased and no proxy: recorded explicitly as [] and null, no unauthorized attempt
        assertThat(e.get("credentials").isArray()).isTrue();
        assertThat(e.get("credentials")).isEmpty();
        assertThat(e.get("egress").isNull()).isTrue();
        assertThat(e.get("unauthorizedAttempts").asLong()).isZero();
        VerificationReport v = verify(o);
        assertThat(v.valid()).as(v.problems().toString()).isTrue();
    }

    @Test
    void aRefusedSelfApprovalIsKeptAsADenialAndTheOwnersApprovalCounts() throws Exception {
        Path ledger = tmp.resolve("approvals.json");
        RunOutcome first = run(ExecutionClass.DELIVERY, ledger, recorder(), "carol");
        assertThat(first.status()).isEqualTo(RunStatus.APPROVAL_REFUSED);
        assertThat(first.approval().status().state()).isEqualTo(ApprovalState.PENDING);
        Path requestFile = RequestFile.forLedger(ledger);
        assertThat(first.approval().requestFile()).isEqualTo(requestFile.toString());
        assertThat(record(first).at("/workspace/kind").asText()).isEqualTo("none");
        assertThat(Files.exists(ws.resolve("out.txt"))).isFalse();

        String digest = RequestFile.read(requestFile).digest();
        Instant t = Instant.now().minusSeconds(5);
        // a hand-edited ledger: the requester approves themself (the approve command would refuse to record it)
        Ledger.append(ledger, new LedgerEntry(DecisionKind.APPROVE, "carol", List.of(), false, t, digest, "me"));
        Ledger.append(ledger, new LedgerEntry(DecisionKind.APPROVE, "alice", List.of(), false, t.plusSeconds(1), digest, "ok"));
        RunOutcome o = run(ExecutionClass.DELIVERY, ledger, recorder(), "carol");
        assertThat(o.status()).as(o.message()).isEqualTo(RunStatus.SUCCEEDED);
        JsonNode e = record(o);
        assertThat(StreamSupport.stream(e.get("approvals").spliterator(), false).map(a -> a.get("approver").asText()))
                .containsExactly("alice");
        assertThat(e.at("/approvals/0/requestDigest").asText()).isEqualTo(digest);
        assertThat(e.at("/requirements/approvalsRequired").asInt()).isEqualTo(1);
        assertThat(e.at("/runtimeDenials/0/kind").asText()).isEqualTo("approval");
        assertThat(e.at("/runtimeDenials/0/subject").asText()).isEqualTo("carol refused");
        assertThat(e.at("/runtimeDenials/0/ruleId").asText()).isEqualTo("approval.owner");
        assertThat(verify(o).valid()).isTrue();
    }

    @Test
    void withoutALedgerApprovalIsRefusedAndNothingRuns() throws Exception {
        RunOutcome o = run(ExecutionClass.DELIVERY, null, recorder(), "carol");
        assertThat(o.status()).isEqualTo(RunStatus.APPROVAL_REFUSED);
        assertThat(o.message()).contains("needs approval", "no approvals ledger was given");
        assertThat(o.approval().requestFile()).isNull();
        assertThat(Files.exists(ws.resolve("out.txt"))).isFalse();
        assertThat(verify(o).valid()).isTrue();
    }

    @Test
    void incompletePrivilegedEvidenceTurnsASuccessIntoARuntimeErrorThatKeepsItsBundle() throws Exception {
        Path ledger = tmp.resolve("approvals.json");
        run(ExecutionClass.PRIVILEGED, ledger, recorder(), "carol");
        String digest = RequestFile.read(RequestFile.forLedger(ledger)).digest();
        Instant t = Instant.now().minusSeconds(5);
        Ledger.append(ledger, new LedgerEntry(DecisionKind.APPROVE, "alice", List.of(), false, t, digest, ""));
        Ledger.append(ledger, new LedgerEntry(DecisionKind.APPROVE, "bob", List.of(), false, t, digest, ""));
        RunOutcome o = run(ExecutionClass.PRIVILEGED, ledger, BundleEvidenceRecorder.builder(evidence, "the task")
                .agentgateVersion("test"), "carol");   // no model
        assertThat(o.status()).isEqualTo(RunStatus.RUNTIME_ERROR);
        assertThat(o.message()).contains("evidence incomplete for a privileged run", "model.id");
        assertThat(o.evidence()).isNotNull();
        JsonNode e = record(o);
        assertThat(e.get("outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(e.at("/completeness/runMustFail").asBoolean()).isTrue();
        assertThat(e.at("/requirements/approvalsRequired").asInt()).isEqualTo(2);
        assertThat(verify(o).valid()).isFalse();
    }

    @Test
    void anOutcomeThatAlreadyFailedKeepsItsStatusWhenItsEvidenceIsIncomplete() throws Exception {
        // a privileged denial: the request asks for a tool the profile does not allow; no model, so incomplete
        RunRequest request = RunRequest.builder(ExecutionClass.PRIVILEGED).image("agentgate-test/busybox:1").tools(List.of("curl"))
                .requester("carol").build();
        RunOutcome o = GovernedRun.builder(new DockerSandbox(docker)).scratch(tmp)
                .evidence(BundleEvidenceRecorder.builder(evidence, "the task").catalog(catalog).build())
                .build()
                .execute(new RunInput(catalog, request, "the task", ws, List.of("agent"), new ByteArrayOutputStream()));
        assertThat(o.status()).isEqualTo(RunStatus.DENIED);
        assertThat(o.message()).contains("evidence incomplete for a privileged run", "toolchain.agentgateVersion");
        assertThat(record(o).at("/profile/id").asText()).isEqualTo("privileged-team");
    }

    @Test
    void symlinksOnTheWayToMetadataOrArtifactsAreNotFollowed() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("metadata.json"), "{\"secret\": 1}");
        Files.writeString(outside.resolve("out.txt"), "host secret\n");
        Files.createSymbolicLink(ws.resolve(".agentgate"), outside);
        Files.createSymbolicLink(ws.resolve("link"), outside);
        RunOutcome o = run(ExecutionClass.DRAFT, null, recorder().artifact("link/out.txt"), "carol");
        assertThat(o.status()).as(o.message()).isEqualTo(RunStatus.SUCCEEDED);
        JsonNode e = record(o);
        assertThat(e.at("/agentMetadata/reported").asBoolean()).isFalse();
        assertThat(e.at("/agentMetadata/error").asText()).contains("symbolic link");
        assertThat(e.at("/artifacts/0/path").asText()).isEqualTo("link/out.txt");
        assertThat(e.at("/artifacts/0/sha256").isNull()).isTrue();
        try (var files = Files.walk(Path.of(o.evidence()))) {
            assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString())).doesNotContain("1-out.txt");
        }
    }

    @Test
    void leasesAndEgressAttemptsAreRecordedDenialsCountedAndEveryRunStringMasked() throws Exception {
        String secret = "SeCrEt-" + "9f".repeat(12);
        RunOutcome ran = run(ExecutionClass.DRAFT, null, recorder(), "carol");
        assertThat(ran.status()).as(ran.message()).isEqualTo(RunStatus.SUCCEEDED);
        // the agent held the value and wrote it into its metadata file
        Files.createDirectories(ws.resolve(".agentgate"));
        Files.writeString(ws.resolve(".agentgate/metadata.json"), "{\"agent\": \"a " + secret + "\", \"" + secret + "\": [\"" + secret + "\"]}");
        Instant t = Instant.parse("2026-01-02T03:04:05Z");
        LeaseRecord lease = new LeaseRecord("api-token", "run:" + ran.runId(), Duration.ofMinutes(10), InjectionMode.ENV, "API_TOKEN", t,
                t.plusSeconds(600), "hmac-sha256:" + "0a".repeat(16), null, null, null, LeaseStatus.REVOKED, true, t.plusSeconds(30),
                "step failed: exit 5 printing " + secret);
        CredentialReport creds = new CredentialReport(List.of(lease), List.of(), s -> s.replace(secret, "****"));
        EgressRecord allowed = new EgressRecord(1, t.plusSeconds(1), "CONNECT", "api.allowed.test", 443, EgressVerdict.ALLOWED,
                EgressRules.ALLOWLIST, "api.allowed.test:443", "127.0.0.1", 120, 4_000, 35, EndReason.COMPLETED, "allowed");
        EgressRecord denied = new EgressRecord(2, t.plusSeconds(2), "GET", "evil.test", 80, EgressVerdict.DENIED,
                EgressRules.NOT_ALLOWED, null, null, 0, 0, 1, EndReason.REFUSED, "not in the allowlist; sent " + secret);
        EgressReport egress = new EgressReport(List.of(allowed, denied),
                new EgressSummary(2, 1, 1, 0, 120, 4_000, false, false, 0, List.of("evil.test:80")), "e".repeat(64));
        RunOutcome o = new RunOutcome(ran.runId(), RunStatus.AGENT_FAILED, "agent failed: it printed " + secret, ran.request(),
                ran.policy(), ran.plan(), ran.approval(), ran.sandbox(), ran.promptSha256(), ran.workspace(), ran.command(), List.of(),
                ran.startedAt(), ran.endedAt(), null, creds, egress);

        Path root = tmp.resolve("evidence-2");
        Path bundle = Path.of(BundleEvidenceRecorder.builder(root, "the task").agentgateVersion("test").model("m-1", Map.of())
                .catalog(catalog).build().record(o));
        JsonNode e = CanonicalJson.mapper().readTree(bundle.resolve("evidence.json").toFile());

        JsonNode l = e.at("/credentials/0");
        assertThat(e.get("credentials")).hasSize(1);
        assertThat(l.get("credentialId").asText()).isEqualTo("api-token");
        assertThat(l.get("mode").asText()).isEqualTo("env");
        assertThat(l.get("ttl").asText()).isEqualTo("PT10M");
        assertThat(l.get("status").asText()).isEqualTo("revoked");
        assertThat(l.get("revoked").asBoolean()).isTrue();
        assertThat(l.get("fingerprint").asText()).isEqualTo(lease.fingerprint());
        assertThat(l.get("revokeReason").asText()).isEqualTo("step failed: exit 5 printing ****");

        assertThat(e.at("/egress/summary/attempts").asLong()).isEqualTo(2);
        assertThat(e.at("/egress/summary/unauthorized").asLong()).isEqualTo(1);
        assertThat(e.at("/egress/relaySha256").asText()).isEqualTo("e".repeat(64));
        assertThat(e.at("/egress/records/0/verdict").asText()).isEqualTo("allowed");
        assertThat(e.at("/egress/records/0/bytesDown").asLong()).isEqualTo(4_000);
        assertThat(e.at("/egress/records/1/verdict").asText()).isEqualTo("denied");
        assertThat(e.at("/egress/records/1/end").asText()).isEqualTo("refused");
        assertThat(e.at("/egress/records/1/detail").asText()).isEqualTo("not in the allowlist; sent ****");
        JsonNode d = e.at("/runtimeDenials/0");
        assertThat(e.get("runtimeDenials")).hasSize(1);
        assertThat(d.get("kind").asText()).isEqualTo("egress");
        assertThat(d.get("subject").asText()).isEqualTo("evil.test:80");
        assertThat(d.get("ruleId").asText()).isEqualTo(EgressRules.NOT_ALLOWED);
        assertThat(e.get("unauthorizedAttempts").asLong()).isEqualTo(1);
        assertThat(e.get("terminationReason").asText()).isEqualTo("agent failed: it printed ****");
        assertThat(e.at("/agentMetadata/data/agent").asText()).isEqualTo("a ****");
        assertThat(e.at("/agentMetadata/data").has("****")).isTrue();

        try (var files = Files.walk(bundle)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain(secret);
            }
        }
        VerificationReport v = BundleVerifier.verify(bundle, null, catalog);
        assertThat(v.valid()).as(v.problems().toString()).isTrue();
    }
}
