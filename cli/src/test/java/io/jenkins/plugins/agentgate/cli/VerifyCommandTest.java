package io.jenkins.plugins.agentgate.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.agentgate.core.evidence.EvidenceSession;
import io.jenkins.plugins.agentgate.core.evidence.EvidenceSigner;
import io.jenkins.plugins.agentgate.core.evidence.Outcome;
import io.jenkins.plugins.agentgate.core.evidence.RunFacts;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.policy.Decision;
import io.jenkins.plugins.agentgate.core.profile.DefaultCatalog;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyCommandTest {
    @TempDir
    Path tmp;
    Path bundle;
    Path pub;
    Path otherPub;

    private record Result(int code, String out, String err) {}

    private static Result cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = AgentGateCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(code, out.toString(), err.toString());
    }

    private Path[] key(String name) throws Exception {
        Path priv = tmp.resolve(name + ".pem");
        Path pubKey = tmp.resolve(name + ".pub.pem");
        run("openssl", "genpkey", "-algorithm", "ed25519", "-out", priv.toString());
        run("openssl", "pkey", "-in", priv.toString(), "-pubout", "-out", pubKey.toString());
        return new Path[] {priv, pubKey};
    }

    private static void run(String... argv) throws Exception {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }

    @BeforeEach
    void setUp() throws Exception {
        Path[] k = key("signer");
        pub = k[1];
        otherPub = key("other")[1];
        Instant t = Instant.parse("2026-11-27T10:00:00Z");
        RunFacts facts = RunFacts.builder("cli-1", ExecutionClass.DRAFT)
                .profile(DefaultCatalog.get().profileFor(ExecutionClass.DRAFT).orElseThrow())
                .prompt("summarise").agentgateVersion("test")
                .decisions(List.of(Decision.deny("tool", "curl", "tool.allowlist", "curl is not allowed")))
                .started(t).ended(t.plusMillis(5)).outcome(Outcome.POLICY_DENIED, "policy denied").build();
        try (EvidenceSession ev = EvidenceSession.start(tmp.resolve("evidence"), "cli-1", null)) {
            bundle = ev.finish(facts, EvidenceSigner.fromPem(k[0])).dir();
        }
    }

    @Test
    void aValidBundleExitsZero() {
        Result r = cli("verify", bundle.toString(), "--key", pub.toString());
        assertThat(r.code()).as(r.out() + r.err()).isZero();
        assertThat(r.out()).contains("VALID").contains("run:      cli-1 (POLICY_DENIED)").contains("signed:   yes, by sha256:");
    }

    @Test
    void jsonOutput() throws Exception {
        Result r = cli("verify", bundle.toString(), "--key", pub.toString(), "--json");
        JsonNode j = CanonicalJson.mapper().readTree(r.out());
        assertThat(j.get("valid").asBoolean()).isTrue();
        assertThat(j.get("runId").asText()).isEqualTo("cli-1");
        assertThat(j.get("problems")).isEmpty();
    }

    @Test
    void anInvalidBundleExitsFiveWithTheReason() throws Exception {
        Result wrongKey = cli("verify", bundle.toString(), "--key", otherPub.toString());
        assertThat(wrongKey.code()).isEqualTo(5);
        assertThat(wrongKey.out()).contains("INVALID").contains("FAILED   no signature in the envelope verifies with key");
        assertThat(wrongKey.err()).contains("is not valid: no signature in the envelope verifies");

        Files.writeString(bundle.resolve("evidence.json"), Files.readString(bundle.resolve("evidence.json")).replace("policy denied", "all fine"));
        Result tampered = cli("verify", bundle.toString(), "--key", pub.toString(), "--json");
        assertThat(tampered.code()).isEqualTo(5);
        assertThat(CanonicalJson.mapper().readTree(tampered.out()).get("problems").toString())
                .contains("subject 'evidence.json' has sha256");

        assertThat(cli("verify", tmp.resolve("nope").toString()).code()).isEqualTo(5);
    }

    @Test
    void theCatalogCheckComparesThePolicyHash() throws Exception {
        Path same = tmp.resolve("same.yaml");
        Files.writeString(same, "apiVersion: agentgate/v1\n");
        Result ok = cli("verify", bundle.toString(), "--key", pub.toString(), "--catalog", same.toString());
        assertThat(ok.code()).as(ok.out()).isZero();
        assertThat(ok.out()).contains("policy hash matches the current profile 'draft-default'");

        Path changed = tmp.resolve("changed.yaml");
        Files.writeString(changed, "apiVersion: agentgate/v1\nprofiles:\n  - id: draft-default\n    version: 2\n    tools: [git]\n");
        Result bad = cli("verify", bundle.toString(), "--key", pub.toString(), "--catalog", changed.toString());
        assertThat(bad.code()).isEqualTo(5);
        assertThat(bad.out()).contains("no longer matches the current profile");
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        Path notAKey = tmp.resolve("x.pem");
        Files.writeString(notAKey, "hello");
        Result r = cli("verify", bundle.toString(), "--key", notAKey.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("x.pem").contains("has no '-----BEGIN PUBLIC KEY-----' block");
        Path badCatalog = tmp.resolve("bad.yaml");
        Files.writeString(badCatalog, "apiVersion: agentgate/v1\nbogus: 1\n");
        assertThat(cli("verify", bundle.toString(), "--catalog", badCatalog.toString()).code()).isEqualTo(2);
        assertThat(cli("verify").code()).isEqualTo(2);
    }
}
