package io.jenkins.plugins.agentgate.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.agentgate.core.approval.ApprovalEngine;
import io.jenkins.plugins.agentgate.core.approval.ApprovalState;
import io.jenkins.plugins.agentgate.core.approval.DecisionKind;
import io.jenkins.plugins.agentgate.core.approval.Ledger;
import io.jenkins.plugins.agentgate.core.approval.LedgerEntry;
import io.jenkins.plugins.agentgate.core.approval.RequestFile;
import io.jenkins.plugins.agentgate.core.evidence.BundleVerifier;
import io.jenkins.plugins.agentgate.core.evidence.VerificationReport;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
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
}
