package io.jenkins.plugins.agentgate.core.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.agentgate.core.credentials.SecretMasker;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.json.Digests;
import io.jenkins.plugins.agentgate.core.policy.Decision;
import io.jenkins.plugins.agentgate.core.policy.PolicyHash;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class EvidenceSessionTest {
    @TempDir
    Path tmp;
    Path ws;
    Path evidence;
    EvidenceSigner signer;
    Path pub;

    @BeforeEach
    void setUp() throws Exception {
        ws = Fixtures.repo(tmp.resolve("ws"));
        evidence = tmp.resolve("evidence");
        Path[] k = Fixtures.opensslKey(tmp.resolve("keys"), "ed25519");
        signer = EvidenceSigner.fromPem(k[0]);
        pub = k[1];
    }

    /** Drives the API the way the orchestrator does, for each outcome. */
    private EvidenceBundle run(Outcome outcome, ExecutionClass c, SandboxProfile p) throws Exception {
        String runId = "run-" + outcome.name().toLowerCase() + "-" + c.id();
        try (EvidenceSession ev = EvidenceSession.start(evidence, runId, ws)) {
            RunFacts.Builder facts;
            if (outcome.sandboxRan() || outcome == Outcome.RUNTIME_ERROR) {
                ev.captureBefore(CaptureLimits.defaults());
                Files.writeString(ws.resolve("README.md"), "changed by " + runId + "\n");
                Files.writeString(ws.resolve("report-" + runId + ".md"), "# report\n");
                ev.captureAfter();
                facts = Fixtures.ranFacts(runId, c, p, outcome, outcome == Outcome.SUCCEEDED ? 0 : outcome == Outcome.TIMEOUT ? -1 : 3)
                        .artifact(ws.resolve("report-" + runId + ".md"));
                if (outcome == Outcome.RUNTIME_ERROR) {
                    facts.exitCode(null).outcome(outcome, "docker daemon went away");
                }
            } else {
                java.time.Instant t = java.time.Instant.parse("2026-11-27T10:00:00Z");
                facts = RunFacts.builder(runId, c).profile(p).prompt("Rotate the prod DB password")
                        .model("claude-sonnet-4", java.util.Map.of()).agentgateVersion("0.1.0-test")
                        .started(t).ended(t.plusMillis(15));
                if (outcome == Outcome.POLICY_DENIED) {
                    facts.decisions(List.of(Decision.deny("tool", "curl", "tool.allowlist", "curl is not in the profile's tools")))
                            .outcome(outcome, "policy denied: tool 'curl' [tool.allowlist]");
                } else {
                    facts.decisions(List.of(Decision.allow("tool", "git", "tool.allowlist", "git is allowed")))
                            .outcome(outcome, "approval missing: 0 of 1 owner approvals");
                }
            }
            return ev.finish(facts.build(), signer);
        }
    }

    @ParameterizedTest
    @EnumSource(Outcome.class)
    void everyOutcomeWritesAVerifiableBundle(Outcome outcome) throws Exception {
        EvidenceBundle b = run(outcome, ExecutionClass.DELIVERY, Fixtures.profile(ExecutionClass.DELIVERY));
        assertThat(b.dir()).isEqualTo(evidence.toRealPath().resolve("run-" + outcome.name().toLowerCase() + "-delivery"));
        assertThat(b.dir().resolve(EvidenceBundle.ENVELOPE)).isRegularFile();
        VerificationReport rep = BundleVerifier.verify(b.dir(), signer.publicKey(), null);
        assertThat(rep.problems()).isEmpty();
        assertThat(rep.valid()).isTrue();
        assertThat(rep.signed()).isTrue();
        assertThat(rep.outcome()).isEqualTo(outcome.name());
        EvidenceRecord r = b.record();
        assertThat(r.outcome()).isEqualTo(outcome);
        assertThat(r.approvals()).isNotNull();
        assertThat(r.decisions()).isNotEmpty();
        if (outcome.sandboxRan()) {
            assertThat(r.workspace().kind()).isEqualTo("git");
            assertThat(r.completeness().complete()).as(r.completeness().missing().toString()).isTrue();
        } else if (outcome != Outcome.RUNTIME_ERROR) {
            assertThat(r.workspace().kind()).isEqualTo("none");
            assertThat(r.workspace().notCapturedReason()).contains("before the sandbox started").contains(outcome.name());
            assertThat(r.approvals()).isEmpty();
            assertThat(r.rollback().kind()).isEqualTo("none");
            assertThat(r.completeness().complete()).isTrue();
            // the empty approvals list is in the file, not omitted
            JsonNode json = CanonicalJson.mapper().readTree(b.dir().resolve("evidence.json").toFile());
            assertThat(json.get("approvals").isArray()).isTrue();
            assertThat(json.get("approvals")).isEmpty();
        }
    }

    @Test
    void everySeedFieldIsRecorded() throws Exception {
        SandboxProfile p = Fixtures.withEvidence(Fixtures.profile(ExecutionClass.PRIVILEGED), true, true);
        EvidenceBundle b = run(Outcome.SUCCEEDED, ExecutionClass.PRIVILEGED, p);
        JsonNode j = CanonicalJson.mapper().readTree(b.dir().resolve("evidence.json").toFile());
        assertThat(j.get("schema").asText()).isEqualTo("https://agentgate.jenkins.io/evidence/v1");
        assertThat(j.get("schemaVersion").asInt()).isEqualTo(1);
        // prompt hash (and the text, since this profile keeps it), policy hash, profile id + version, class
        assertThat(j.at("/prompt/sha256").asText()).isEqualTo(Digests.sha256Hex("Fix the failing test in App.java"));
        assertThat(j.at("/prompt/text").asText()).isEqualTo("Fix the failing test in App.java");
        assertThat(j.at("/policyHash").asText()).isEqualTo(PolicyHash.of(p));
        assertThat(j.at("/profile/id").asText()).isEqualTo(p.id());
        assertThat(j.at("/profile/version").asInt()).isEqualTo(p.version());
        assertThat(j.at("/executionClass").asText()).isEqualTo("privileged");
        // model and toolchain
        assertThat(j.at("/model/id").asText()).isEqualTo("claude-sonnet-4");
        assertThat(j.at("/model/parameters/temperature").asDouble()).isEqualTo(0.2);
        assertThat(j.at("/toolchain/imageRef").asText()).isEqualTo("registry.local/agents/claude:1.0");
        assertThat(j.at("/toolchain/imageDigest").asText()).isEqualTo(Fixtures.DIGEST);
        assertThat(j.at("/toolchain/agentgateVersion").asText()).isEqualTo("0.1.0-test");
        assertThat(j.at("/toolchain/dockerVersion").asText()).isEqualTo("26.1.5");
        assertThat(j.at("/agentMetadata/data/agent").asText()).isEqualTo("claude-code");
        // files touched and diff summary
        assertThat(j.at("/workspace/baseCommit").asText()).hasSize(40);
        assertThat(j.at("/workspace/files/0/path").asText()).isEqualTo("README.md");
        assertThat(j.at("/workspace/summary/filesChanged").asInt()).isEqualTo(2);
        assertThat(j.at("/workspace/patch/name").asText()).isEqualTo("patch.diff");
        // decisions with rule ids, runtime denials, approvers and times
        assertThat(j.at("/decisions/0/ruleId").asText()).isEqualTo("tool.allowlist");
        assertThat(j.at("/runtimeDenials/0/subject").asText()).isEqualTo("203.0.113.7:443");
        assertThat(j.at("/approvals/0/approver").asText()).isEqualTo("alice");
        assertThat(j.at("/approvals/1/at").asText()).isEqualTo("2026-11-27T09:59:30Z");
        // artifacts and rollback
        assertThat(j.at("/artifacts/0/path").asText()).isEqualTo("report-run-succeeded-privileged.md");
        assertThat(j.at("/artifacts/0/sha256").asText()).isEqualTo(Digests.sha256Hex("# report\n"));
        assertThat(j.at("/rollback/kind").asText()).isEqualTo("git-revert-patch");
        assertThat(j.at("/rollback/revertPatch/name").asText()).isEqualTo("revert.diff");
        // timings, exit code, termination reason, completeness, signing
        assertThat(j.at("/timings/durationMillis").asLong()).isEqualTo(42_000);
        assertThat(j.at("/exitCode").asInt()).isZero();
        assertThat(j.at("/terminationReason").asText()).isEqualTo("agent exited 0");
        assertThat(j.at("/completeness/complete").asBoolean()).isTrue();
        assertThat(j.at("/completeness/required").toString()).contains("toolchain.imageDigest", "approvals[2 distinct approved]",
                "signing.signed", "prompt.text", "rollback");
        assertThat(j.at("/signing/signed").asBoolean()).isTrue();
        assertThat(j.at("/signing/keyId").asText()).isEqualTo(signer.keyId());
        assertThat(EvidenceSchema.validate(j)).isEmpty();

        // the statement: in-toto v1, subjects with digests, our predicate type
        JsonNode env = CanonicalJson.mapper().readTree(b.dir().resolve("envelope.dsse.json").toFile());
        assertThat(env.get("payloadType").asText()).isEqualTo("application/vnd.in-toto+json");
        JsonNode st = CanonicalJson.mapper().readTree(Base64.getDecoder().decode(env.get("payload").asText()));
        assertThat(st.get("_type").asText()).isEqualTo("https://in-toto.io/Statement/v1");
        assertThat(st.get("predicateType").asText()).isEqualTo("https://agentgate.jenkins.io/evidence/v1");
        assertThat(st.get("subject").findValuesAsText("name")).containsExactly(
                "artifacts/1-report-run-succeeded-privileged.md", "evidence.json", "patch.diff", "revert.diff");
        assertThat(st.get("predicate")).isEqualTo(j);
    }

    /** A leased value the agent wrote into the workspace: into a new file, and in place of a tracked line. */
    private EvidenceBundle secretWritten(String runId, String secret, java.util.function.UnaryOperator<java.io.OutputStream> mask)
            throws Exception {
        SandboxProfile p = Fixtures.profile(ExecutionClass.DELIVERY);
        try (EvidenceSession ev = EvidenceSession.start(evidence, runId, ws)) {
            ev.captureBefore(CaptureLimits.defaults());
            Files.writeString(ws.resolve("deploy.env"), "TOKEN=" + secret + "\n");
            Files.writeString(ws.resolve("README.md"), "token: " + secret + "\n");
            ev.captureAfter(mask);
            return ev.finish(Fixtures.ranFacts(runId, ExecutionClass.DELIVERY, p, Outcome.SUCCEEDED, 0).build(), signer);
        }
    }

    @Test
    void aCredentialValueTheAgentWroteIntoTheWorkspaceIsMaskedInBothPatches() throws Exception {
        String secret = "ghp_S3cretTokenValue1234567890";
        SecretMasker masker = new SecretMasker();
        masker.add(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8));

        EvidenceBundle b = secretWritten("mask-1", secret, masker::wrap);

        String patch = Files.readString(b.dir().resolve(EvidenceBundle.PATCH));
        String revert = Files.readString(b.dir().resolve(EvidenceBundle.REVERT_PATCH));
        assertThat(patch).doesNotContain(secret).contains("+TOKEN=" + SecretMasker.MASK).contains("+token: " + SecretMasker.MASK);
        assertThat(revert).doesNotContain(secret).contains("-TOKEN=" + SecretMasker.MASK);
        assertThat(b.record().workspace().truncation().reasons())
                .anyMatch(r -> r.contains("credentials were found in the changes and masked"));
        assertThat(b.record().rollback().complete()).isFalse();
        assertThat(b.record().rollback().note()).contains("masked");
        // The signed digests are those of the masked files: the bundle verifies as it is archived.
        assertThat(BundleVerifier.verify(b.dir(), signer.publicKey(), null).valid()).isTrue();
        try (Stream<Path> all = Files.walk(b.dir())) {
            for (Path f : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
                assertThat(Files.readString(f, java.nio.charset.StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain(secret);
            }
        }
    }

    @Test
    void withoutAMaskThePatchesCarryTheChangesAsWritten() throws Exception {
        // The control for the test above: the same changes reach the patches when nothing is leased.
        String secret = "ghp_S3cretTokenValue1234567890";
        EvidenceBundle b = secretWritten("mask-0", secret, java.util.function.UnaryOperator.identity());

        assertThat(Files.readString(b.dir().resolve(EvidenceBundle.PATCH))).contains("+TOKEN=" + secret);
        assertThat(b.record().workspace().truncation().reasons()).noneMatch(r -> r.contains("masked"));
        assertThat(b.record().rollback().complete()).isTrue();
    }

    @Test
    void aPrivilegedRunWithIncompleteEvidenceMustFail() throws Exception {
        SandboxProfile p = Fixtures.profile(ExecutionClass.PRIVILEGED);
        try (EvidenceSession ev = EvidenceSession.start(evidence, "priv-1", ws)) {
            ev.captureBefore(CaptureLimits.defaults());
            ev.captureAfter();
            RunFacts facts = Fixtures.ranFacts("priv-1", ExecutionClass.PRIVILEGED, p, Outcome.SUCCEEDED, 0)
                    .image("registry.local/agents/claude:1.0", null) // digest not resolved
                    .build();
            EvidenceBundle b = ev.finish(facts, signer);
            assertThat(b.completeness().complete()).isFalse();
            assertThat(b.completeness().missing()).containsExactly("toolchain.imageDigest");
            assertThat(b.completeness().runMustFail()).isTrue();
            VerificationReport rep = BundleVerifier.verify(b.dir(), signer.publicKey(), null);
            assertThat(rep.valid()).isFalse();
            assertThat(rep.problems()).anyMatch(s -> s.contains("incomplete for a privileged run"));
        }
        // the same gap in a Draft run is reported, not fatal
        try (EvidenceSession ev = EvidenceSession.start(evidence, "draft-1", ws)) {
            ev.captureBefore(CaptureLimits.defaults());
            RunFacts facts = Fixtures.ranFacts("draft-1", ExecutionClass.DRAFT, Fixtures.profile(ExecutionClass.DRAFT),
                    Outcome.SUCCEEDED, 0).image("x:1", null).build();
            EvidenceBundle b = ev.finish(facts, signer); // captureAfter forgotten: finish does it
            assertThat(b.record().workspace().kind()).isEqualTo("git");
            assertThat(b.completeness().runMustFail()).isFalse();
            VerificationReport rep = BundleVerifier.verify(b.dir(), signer.publicKey(), null);
            assertThat(rep.valid()).isTrue();
            assertThat(rep.warnings()).anyMatch(s -> s.contains("toolchain.imageDigest"));
        }
    }

    @Test
    void unsignedBundlesOnlyWhereTheProfileAllowsAndMarkedUnsigned() throws Exception {
        // Draft default: requireSignature false
        try (EvidenceSession ev = EvidenceSession.start(evidence, "u1", null)) {
            EvidenceBundle b = ev.finish(deniedFacts("u1", ExecutionClass.DRAFT, Fixtures.profile(ExecutionClass.DRAFT)), null);
            assertThat(b.signed()).isFalse();
            assertThat(b.record().signing()).isEqualTo(SigningInfo.UNSIGNED);
            assertThat(b.completeness().runMustFail()).isFalse();
            VerificationReport rep = BundleVerifier.verify(b.dir(), null, null);
            assertThat(rep.valid()).isTrue();
            assertThat(rep.warnings()).anyMatch(s -> s.startsWith("UNSIGNED"));
            assertThat(BundleVerifier.verify(b.dir(), signer.publicKey(), null).problems())
                    .anyMatch(s -> s.contains("unsigned but --key was given"));
        }
        // Privileged default: requireSignature true
        try (EvidenceSession ev = EvidenceSession.start(evidence, "u2", null)) {
            EvidenceBundle b = ev.finish(deniedFacts("u2", ExecutionClass.PRIVILEGED, Fixtures.profile(ExecutionClass.PRIVILEGED)), null);
            assertThat(b.completeness().missing()).contains("signing.signed");
            assertThat(b.completeness().runMustFail()).isTrue();
            assertThat(BundleVerifier.verify(b.dir(), null, null).valid()).isFalse();
        }
    }

    @Test
    void theEvidenceDirectoryMustBeOutsideTheWorkspace() {
        assertThatThrownBy(() -> EvidenceSession.start(ws.resolve("evidence"), "r1", ws))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is inside the workspace")
                .hasMessageContaining("sandbox must never be able to write evidence");
        assertThatThrownBy(() -> EvidenceSession.start(evidence, "../escape", ws))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("run id '../escape'");
    }

    @Test
    void anUnfinishedSessionNeverLooksLikeABundle() throws Exception {
        EvidenceSession ev = EvidenceSession.start(evidence, "crash-1", ws);
        ev.captureBefore(CaptureLimits.defaults());
        // "crash": the session is neither finished nor closed
        assertThat(Files.exists(evidence.resolve("crash-1"))).isFalse();
        try (Stream<Path> s = Files.list(evidence)) {
            Path staging = s.filter(p -> p.getFileName().toString().startsWith(".staging-crash-1-")).findFirst().orElseThrow();
            VerificationReport rep = BundleVerifier.verify(staging, null, null);
            assertThat(rep.valid()).isFalse();
            assertThat(rep.problems()).containsExactly("no envelope.dsse.json: the bundle is incomplete (its writer did not finish)");
        }
        ev.close();
        try (Stream<Path> s = Files.list(evidence)) {
            assertThat(s.toList()).isEmpty();
        }
        // a finished bundle cannot be overwritten by a second run with the same id
        try (EvidenceSession ok = EvidenceSession.start(evidence, "once", null)) {
            ok.finish(deniedFacts("once", ExecutionClass.DRAFT, Fixtures.profile(ExecutionClass.DRAFT)), signer);
        }
        assertThatThrownBy(() -> EvidenceSession.start(evidence, "once", null))
                .hasMessageContaining("already exists");
    }

    @Test
    void ecdsaP256KeysSignToo() throws Exception {
        Path[] k = Fixtures.opensslKey(tmp.resolve("keys"), "p256");
        EvidenceSigner ec = EvidenceSigner.fromPem(k[0]);
        assertThat(ec.algorithm()).isEqualTo("ecdsa-p256-sha256");
        try (EvidenceSession ev = EvidenceSession.start(evidence, "ec-1", null)) {
            EvidenceBundle b = ev.finish(deniedFacts("ec-1", ExecutionClass.DRAFT, Fixtures.profile(ExecutionClass.DRAFT)), ec);
            assertThat(BundleVerifier.verify(b.dir(), PemKeys.readPublic(k[1]), null).valid()).isTrue();
            assertThat(BundleVerifier.verify(b.dir(), PemKeys.readPublic(pub), null).problems())
                    .anyMatch(s -> s.contains("no signature in the envelope verifies"));
        }
    }

    @Test
    void badKeyFilesAreNamedWithTheExpectedForm() throws Exception {
        Path rsa = tmp.resolve("rsa.pem");
        Fixtures.sh(tmp, "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", rsa.toString());
        assertThatThrownBy(() -> EvidenceSigner.fromPem(rsa)).hasMessageContaining("rsa.pem")
                .hasMessageContaining("expected an Ed25519 or ECDSA P-256 key");
        assertThatThrownBy(() -> EvidenceSigner.fromPem(tmp.resolve("missing.pem"))).hasMessageContaining("does not exist");
    }

    static RunFacts deniedFacts(String runId, ExecutionClass c, SandboxProfile p) {
        java.time.Instant t = java.time.Instant.parse("2026-11-27T10:00:00Z");
        return RunFacts.builder(runId, c).profile(p).prompt("do it").agentgateVersion("0.1.0-test")
                .decisions(List.of(Decision.deny("network", "evil.example:443", "network.allowlist", "not allowlisted")))
                .started(t).ended(t.plusMillis(3)).outcome(Outcome.POLICY_DENIED, "policy denied").build();
    }
}
