package io.jenkins.plugins.agentgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code agentgate run} with approvals and evidence, end to end on the real engine: every outcome leaves a bundle
 * that {@code agentgate verify} accepts; approvals gate Delivery and Privileged runs; incomplete Privileged evidence
 * fails the run.
 */
class RunGovernanceTest {
    private static final String CATALOG = """
            apiVersion: agentgate/v1
            profiles:
              - id: draft-team
              - id: delivery-team
                rollback: required
                approval:
                  mode: owner
                  approvers:
                    users: [alice]
              - id: privileged-team
                rollback: required
                approval:
                  mode: dual
                  approvers:
                    users: [alice, bob]
                  expiry: 4h
                evidence:
                  requireSignature: true
            classes:
              draft: draft-team
              delivery: delivery-team
              privileged: privileged-team
            """;

    @TempDir
    Path tmp;
    Path ws;
    Path task;
    Path evidence;
    Path catalog;
    Path key;
    Path pub;

    @BeforeAll
    static void engine() {
        DockerEngine.require();
    }

    @BeforeEach
    void files() throws Exception {
        ws = Files.createDirectories(tmp.resolve("ws"));
        Files.writeString(ws.resolve("a.txt"), "alpha\nbeta\n");
        Files.writeString(ws.resolve("gone.txt"), "to be deleted\n");
        git("init", "-q", "-b", "main");
        git("add", "-A");
        git("-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-q", "-m", "base");
        SandboxEscapeTest.own(ws);
        task = Files.writeString(tmp.resolve("task.md"), "Edit a.txt, add b.txt, delete gone.txt.\n");
        evidence = tmp.resolve("evidence");
        catalog = Files.writeString(tmp.resolve("catalog.yaml"), CATALOG);
        key = tmp.resolve("sign.pem");
        pub = tmp.resolve("sign.pub.pem");
        exec("openssl", "genpkey", "-algorithm", "ed25519", "-out", key.toString());
        exec("openssl", "pkey", "-in", key.toString(), "-pubout", "-out", pub.toString());
    }

    @AfterEach
    void clearProperty() {
        System.clearProperty("agentgate.docker");
    }

    private void git(String... args) throws Exception {
        List<String> a = new ArrayList<>(List.of("git", "-C", ws.toString()));
        a.addAll(List.of(args));
        exec(a.toArray(String[]::new));
    }

    private static void exec(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", argv) + ": " + text).isZero();
    }

    private List<String> run(String cls, String... more) {
        List<String> a = new ArrayList<>(List.of("run", "--json", "--class", cls, "--catalog", catalog.toString(), "--task",
                task.toString(), "--workspace", ws.toString(), "--image", DockerEngine.TEST_IMAGE, "--timeout", "60s",
                "--evidence-dir", evidence.toString()));
        a.addAll(List.of(more));
        return a;
    }

    private static CliResult cli(List<String> args) {
        return CliResult.run(args.toArray(String[]::new));
    }

    private static JsonNode json(CliResult r) throws IOException {
        return CanonicalJson.mapper().readTree(r.out());
    }

    private static Path bundle(CliResult r) throws IOException {
        JsonNode j = json(r);
        assertThat(j.get("evidence").isTextual()).as(r.err()).isTrue();
        Path b = Path.of(j.get("evidence").asText());
        assertThat(b.resolve("envelope.dsse.json")).isRegularFile();
        assertThat(r.err()).contains("] evidence      bundle " + b);
        return b;
    }

    private static JsonNode record(Path bundle) throws IOException {
        return CanonicalJson.mapper().readTree(bundle.resolve("evidence.json").toFile());
    }

    private CliResult verify(Path bundle, boolean withKey) {
        List<String> a = new ArrayList<>(List.of("verify", bundle.toString(), "--catalog", catalog.toString()));
        if (withKey) {
            a.addAll(List.of("--key", pub.toString()));
        }
        return cli(a);
    }

    private static List<String> texts(JsonNode array, String field) {
        return StreamSupport.stream(array.spliterator(), false).map(n -> n.get(field).asText()).toList();
    }

    private static final String CHANGE = "echo gamma >> a.txt; echo new > b.txt; rm gone.txt; mkdir -p .agentgate out; "
            + "echo '{\"agent\":\"test-agent\",\"version\":\"1.2\"}' > .agentgate/metadata.json; echo report > out/report.md";

    @Test
    void aSuccessfulRunThatChangesFilesLeavesASignedBundleWithEverySeedField() throws Exception {
        CliResult r = cli(run("draft", "--sign-key", key.toString(), "--model", "test-model-1", "--model-param", "temperature=0.2",
                "--artifact", "out/report.md", "--", "sh", "-c", "cd /workspace && " + CHANGE));
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = json(r);
        assertThat(j.get("approvalState").asText()).isEqualTo("approved");
        assertThat(j.at("/approval/status/via").asText()).isEqualTo("not-required");
        Path b = bundle(r);
        assertThat(b.getParent()).isEqualTo(evidence.toRealPath());
        assertThat(r.err()).contains("| evidence " + b);

        JsonNode e = record(b);
        assertThat(e.get("runId").asText()).isEqualTo(j.get("runId").asText());
        assertThat(e.get("outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(e.get("executionClass").asText()).isEqualTo("draft");
        assertThat(e.at("/profile/id").asText()).isEqualTo("draft-team");
        assertThat(e.get("policyHash").asText()).isEqualTo(j.get("policyHash").asText()).startsWith("sha256:");
        assertThat(e.at("/prompt/sha256").asText()).isEqualTo(j.get("promptSha256").asText());
        assertThat(e.at("/model/id").asText()).isEqualTo("test-model-1");
        assertThat(e.at("/model/parameters/temperature").asText()).isEqualTo("0.2");
        assertThat(e.at("/toolchain/imageRef").asText()).isEqualTo(DockerEngine.TEST_IMAGE);
        assertThat(e.at("/toolchain/imageDigest").asText()).isEqualTo(j.at("/sandbox/imageId").asText()).startsWith("sha256:");
        assertThat(e.at("/toolchain/dockerVersion").asText()).isEqualTo(j.at("/sandbox/engineVersion").asText());
        assertThat(e.at("/toolchain/agentgateVersion").asText()).isNotBlank();
        assertThat(e.at("/agentMetadata/reported").asBoolean()).isTrue();
        assertThat(e.at("/agentMetadata/data/agent").asText()).isEqualTo("test-agent");
        assertThat(e.get("exitCode").asInt()).isZero();
        assertThat(texts(e.get("decisions"), "ruleId")).isNotEmpty();
        assertThat(e.get("approvals").isArray()).isTrue();
        assertThat(e.get("approvals")).isEmpty();
        assertThat(e.at("/workspace/kind").asText()).isEqualTo("git");
        assertThat(e.at("/workspace/baseCommit").asText()).hasSize(40);
        assertThat(texts(e.at("/workspace/files"), "path")).contains("a.txt", "b.txt", "gone.txt", "out/report.md",
                ".agentgate/metadata.json");
        assertThat(e.at("/workspace/summary/added").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(e.at("/workspace/summary/deleted").asInt()).isEqualTo(1);
        assertThat(e.at("/workspace/summary/modified").asInt()).isEqualTo(1);
        assertThat(e.at("/workspace/summary/linesAdded").asInt()).isGreaterThanOrEqualTo(4);
        assertThat(e.at("/workspace/patch/name").asText()).isEqualTo("patch.diff");
        assertThat(e.at("/rollback/kind").asText()).isEqualTo("git-revert-patch");
        assertThat(e.at("/rollback/complete").asBoolean()).isTrue();
        assertThat(b.resolve("revert.diff")).isRegularFile();
        assertThat(e.at("/artifacts/0/path").asText()).isEqualTo("out/report.md");
        assertThat(e.at("/artifacts/0/sha256").asText()).hasSize(64);
        assertThat(e.at("/timings/phasesMillis/sandbox").isNumber()).isTrue();
        assertThat(e.at("/signing/signed").asBoolean()).isTrue();
        assertThat(e.at("/completeness/complete").asBoolean()).as(e.get("completeness").toString()).isTrue();

        CliResult v = verify(b, true);
        assertThat(v.exitCode()).as(v.out() + v.err()).isZero();

        // a flipped byte in the record, through the CLI
        Path rec = b.resolve("evidence.json");
        byte[] bytes = Files.readAllBytes(rec);
        int at = new String(bytes, StandardCharsets.UTF_8).indexOf("test-model-1");
        bytes[at] ^= 0x01;
        Files.write(rec, bytes);
        CliResult tampered = verify(b, true);
        assertThat(tampered.exitCode()).as(tampered.out() + tampered.err()).isEqualTo(ExitCodes.VERIFICATION_FAILED);
    }

    @Test
    void everyOutcomeLeavesABundleThatVerifies() throws Exception {
        // agent failure (signed)
        CliResult failed = cli(run("draft", "--sign-key", key.toString(), "--model", "m", "--", "sh", "-c", "exit 3"));
        assertThat(failed.exitCode()).as(failed.err()).isEqualTo(ExitCodes.AGENT_FAILED);
        assertVerifies(failed, "AGENT_FAILED", true);
        assertThat(record(bundle(failed)).get("exitCode").asInt()).isEqualTo(3);

        // timeout
        List<String> t = run("draft", "--model", "m", "--", "sleep", "30");
        t.set(t.indexOf("60s"), "2s");
        CliResult timeout = cli(t);
        assertThat(timeout.exitCode()).as(timeout.err()).isEqualTo(ExitCodes.AGENT_FAILED);
        assertVerifies(timeout, "TIMEOUT", false);

        // policy denial: no capture, but the class profile and every decision
        CliResult denied = cli(run("draft", "--tool", "curl", "--", "true"));
        assertThat(denied.exitCode()).isEqualTo(ExitCodes.POLICY_DENIED);
        JsonNode d = assertVerifies(denied, "POLICY_DENIED", false);
        assertThat(d.at("/workspace/kind").asText()).isEqualTo("none");
        assertThat(d.at("/profile/id").asText()).isEqualTo("draft-team");
        assertThat(texts(d.get("decisions"), "verdict")).contains("deny");

        // approval missing (signed)
        CliResult missing = cli(run("delivery", "--sign-key", key.toString(), "--approvals", tmp.resolve("approvals.json").toString(),
                "--", "true"));
        assertThat(missing.exitCode()).isEqualTo(ExitCodes.APPROVAL_MISSING);
        assertThat(assertVerifies(missing, "APPROVAL_MISSING", true).get("approvals")).isEmpty();

        // runtime error: the docker client is missing
        System.setProperty("agentgate.docker", "/nonexistent/agentgate/docker");
        CliResult broken = cli(run("draft", "--", "true"));
        assertThat(broken.exitCode()).isEqualTo(ExitCodes.RUNTIME_ERROR);
        assertThat(assertVerifies(broken, "RUNTIME_ERROR", false).get("terminationReason").asText()).contains("/nonexistent/agentgate/docker");

        try (var s = Files.list(evidence)) {
            assertThat(s.map(p -> p.getFileName().toString())).hasSize(5).noneMatch(n -> n.startsWith(".staging"));
        }
    }

    private JsonNode assertVerifies(CliResult r, String outcome, boolean signed) throws IOException {
        Path b = bundle(r);
        JsonNode e = record(b);
        assertThat(e.get("outcome").asText()).isEqualTo(outcome);
        assertThat(e.at("/signing/signed").asBoolean()).isEqualTo(signed);
        CliResult v = verify(b, signed);
        assertThat(v.exitCode()).as(outcome + ": " + v.out() + v.err()).isZero();
        return e;
    }

    @Test
    void aDeliveryRunWaitsForTheOwnersApprovalThenRunsWithTheApproverInTheEvidence() throws Exception {
        Path ledger = tmp.resolve("approvals.json");
        Path request = tmp.resolve("approvals.request.json");
        List<String> args = run("delivery", "--approvals", ledger.toString(), "--model", "m", "--", "sh", "-c", "echo x >> /workspace/a.txt");

        CliResult first = cli(args);
        assertThat(first.exitCode()).as(first.err()).isEqualTo(ExitCodes.APPROVAL_MISSING);
        assertThat(first.err()).contains("pending: needs 1 more approval", "agentgate approve " + request, "--as USER");
        assertThat(request).isRegularFile();
        assertThat(json(first).get("approvalState").asText()).isEqualTo("pending");
        assertThat(Files.readString(ws.resolve("a.txt"))).isEqualTo("alpha\nbeta\n");

        // the requester (this process's user) cannot approve their own request
        String me = System.getProperty("user.name");
        CliResult self = CliResult.run("approve", request.toString(), "--as", me, "--catalog", catalog.toString());
        assertThat(self.exitCode()).as(self.out() + self.err()).isEqualTo(ExitCodes.APPROVAL_MISSING);
        CliResult still = cli(args);
        assertThat(still.exitCode()).as(still.err()).isEqualTo(ExitCodes.APPROVAL_MISSING);

        CliResult approve = CliResult.run("approve", request.toString(), "--as", "alice", "--catalog", catalog.toString(),
                "--comment", "looks right");
        assertThat(approve.exitCode()).as(approve.out() + approve.err()).isZero();

        CliResult ran = cli(args);
        assertThat(ran.exitCode()).as(ran.err()).isZero();
        assertThat(json(ran).get("approvalState").asText()).isEqualTo("approved");
        assertThat(Files.readString(ws.resolve("a.txt"))).isEqualTo("alpha\nbeta\nx\n");
        Path b = bundle(ran);
        JsonNode e = record(b);
        assertThat(texts(e.get("approvals"), "approver")).containsExactly("alice");
        assertThat(e.at("/approvals/0/decision").asText()).isEqualTo("approved");
        assertThat(e.at("/approvals/0/comment").asText()).isEqualTo("looks right");
        assertThat(e.at("/approvals/0/requestDigest").asText()).startsWith("sha256:");
        assertThat(e.at("/requirements/approvalsRequired").asInt()).isEqualTo(1);
        assertThat(e.at("/completeness/complete").asBoolean()).as(e.get("completeness").toString()).isTrue();
        assertThat(verify(b, false).exitCode()).isZero();
    }

    @Test
    void withoutALedgerAClassThatNeedsApprovalIsRefusedNamingTheOption() throws Exception {
        CliResult r = cli(run("delivery", "--", "sh", "-c", "echo x >> /workspace/a.txt"));
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.APPROVAL_MISSING);
        assertThat(r.err()).contains("needs approval", "--approvals FILE");
        assertThat(Files.readString(ws.resolve("a.txt"))).isEqualTo("alpha\nbeta\n");
        assertVerifies(r, "APPROVAL_MISSING", false);
    }

    @Test
    void aPrivilegedRunWithIncompleteEvidenceFails() throws Exception {
        Path ledger = tmp.resolve("approvals.json");
        Path request = tmp.resolve("approvals.request.json");
        // no --model: model.id is required evidence once the sandbox ran
        List<String> args = run("privileged", "--sign-key", key.toString(), "--approvals", ledger.toString(), "--",
                "sh", "-c", "echo x >> /workspace/a.txt");
        assertThat(cli(args).exitCode()).isEqualTo(ExitCodes.APPROVAL_MISSING);
        for (String who : List.of("alice", "bob")) {
            CliResult a = CliResult.run("approve", request.toString(), "--as", who, "--catalog", catalog.toString());
            assertThat(a.exitCode()).as(a.out() + a.err()).isZero();
        }
        CliResult r = cli(args);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.RUNTIME_ERROR);
        assertThat(r.err()).contains("evidence incomplete for a privileged run", "model.id");
        assertThat(Files.readString(ws.resolve("a.txt"))).endsWith("x\n");
        Path b = bundle(r);
        JsonNode e = record(b);
        assertThat(e.get("outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(texts(e.get("approvals"), "approver")).containsExactly("alice", "bob");
        assertThat(e.at("/completeness/runMustFail").asBoolean()).isTrue();
        CliResult v = verify(b, true);
        assertThat(v.exitCode()).as(v.out() + v.err()).isEqualTo(ExitCodes.VERIFICATION_FAILED);
    }

    @Test
    void aPrivilegedRunWithoutASigningKeyIsRefusedBeforeTheAgentRuns() throws Exception {
        Path ledger = tmp.resolve("approvals.json");
        Path request = tmp.resolve("approvals.request.json");
        List<String> args = run("privileged", "--model", "m", "--approvals", ledger.toString(), "--", "sh", "-c",
                "echo x >> /workspace/a.txt");
        assertThat(cli(args).exitCode()).isEqualTo(ExitCodes.APPROVAL_MISSING);
        for (String who : List.of("alice", "bob")) {
            assertThat(CliResult.run("approve", request.toString(), "--as", who, "--catalog", catalog.toString()).exitCode()).isZero();
        }
        CliResult r = cli(args);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(ExitCodes.RUNTIME_ERROR);
        assertThat(r.err()).contains("requires signed evidence", "--sign-key");
        assertThat(Files.readString(ws.resolve("a.txt"))).isEqualTo("alpha\nbeta\n");
        JsonNode e = record(bundle(r));
        assertThat(e.get("outcome").asText()).isEqualTo("RUNTIME_ERROR");
        assertThat(e.at("/signing/signed").asBoolean()).isFalse();
    }

    @Test
    void theDefaultEvidenceDirectoryMustNotBeInsideTheWorkspace() {
        // the current directory lies inside its parent: ./agentgate-evidence would be in the workspace
        CliResult r = CliResult.run("run", "--class", "draft", "--task", task.toString(), "--workspace", "..", "--", "true");
        assertThat(r.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--evidence-dir is required here", "inside the workspace");
        assertThat(Path.of(RunCommand.DEFAULT_EVIDENCE_DIR)).doesNotExist();
    }
}
