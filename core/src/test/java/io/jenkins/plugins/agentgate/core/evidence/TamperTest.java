package io.jenkins.plugins.agentgate.core.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.json.CanonicalJson;
import io.jenkins.plugins.agentgate.core.json.Digests;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each tampering of a signed bundle is detected by the verifier with the pinned key. */
class TamperTest {
    @TempDir
    Path tmp;
    Path bundle;
    EvidenceSigner signer;
    PublicKey key;
    EvidenceSigner attacker;

    @BeforeEach
    void setUp() throws Exception {
        Path ws = Fixtures.repo(tmp.resolve("ws"));
        Path[] k = Fixtures.opensslKey(tmp.resolve("keys"), "ed25519");
        signer = EvidenceSigner.fromPem(k[0]);
        key = PemKeys.readPublic(k[1]);
        attacker = EvidenceSigner.fromPem(Fixtures.opensslKey(tmp.resolve("attacker"), "p256")[0]);
        try (EvidenceSession ev = EvidenceSession.start(tmp.resolve("evidence"), "t1", ws)) {
            ev.captureBefore(CaptureLimits.defaults());
            Files.writeString(ws.resolve("README.md"), "agent was here\n");
            Files.writeString(ws.resolve("out.txt"), "artifact\n");
            ev.captureAfter();
            bundle = ev.finish(Fixtures.ranFacts("t1", ExecutionClass.DELIVERY, Fixtures.profile(ExecutionClass.DELIVERY),
                    Outcome.SUCCEEDED, 0).artifact(ws.resolve("out.txt")).build(), signer).dir();
        }
        assertThat(verify().problems()).isEmpty();
    }

    private VerificationReport verify() {
        return BundleVerifier.verify(bundle, key, null);
    }

    private static void flipByte(Path f, int at) throws Exception {
        byte[] b = Files.readAllBytes(f);
        int i = Math.floorMod(at, b.length);
        b[i] ^= 0x01;
        Files.write(f, b);
    }

    @ParameterizedTest
    @ValueSource(strings = {"artifacts/1-out.txt", "evidence.json", "patch.diff", "revert.diff"})
    void aFlippedByteInAnyFileIsDetected(String name) throws Exception {
        flipByte(bundle.resolve(name), Files.readAllBytes(bundle.resolve(name)).length / 2);
        VerificationReport r = verify();
        assertThat(r.valid()).isFalse();
        assertThat(r.problems()).anyMatch(s -> s.startsWith("subject '" + name + "' has sha256"));
    }

    @ParameterizedTest
    @ValueSource(ints = {20, 200, 2000, -30, -3})
    void aFlippedByteInTheEnvelopeIsDetected(int at) throws Exception {
        flipByte(bundle.resolve("envelope.dsse.json"), at);
        assertThat(verify().valid()).isFalse();
    }

    @Test
    void aRemovedFieldIsDetected() throws Exception {
        ObjectNode rec = (ObjectNode) CanonicalJson.mapper().readTree(bundle.resolve("evidence.json").toFile());
        rec.remove("approvals");
        Files.writeString(bundle.resolve("evidence.json"), CanonicalJson.pretty(rec));
        VerificationReport r = verify();
        assertThat(r.valid()).isFalse();
        assertThat(r.problems()).anyMatch(s -> s.startsWith("subject 'evidence.json'"))
                .anyMatch(s -> s.startsWith("schema:") && s.contains("approvals"))
                .anyMatch(s -> s.contains("differs from the signed statement"));
    }

    @Test
    void aSwappedSubjectIsDetected() throws Exception {
        // Swap the digests of two subjects inside the payload, keep the old signature.
        Path envFile = bundle.resolve("envelope.dsse.json");
        ObjectNode env = (ObjectNode) CanonicalJson.mapper().readTree(envFile.toFile());
        ObjectNode st = (ObjectNode) CanonicalJson.mapper().readTree(Base64.getDecoder().decode(env.get("payload").asText()));
        ArrayNode subj = (ArrayNode) st.get("subject");
        JsonNode a = subj.get(0).get("digest").deepCopy();
        ((ObjectNode) subj.get(0)).set("digest", subj.get(1).get("digest"));
        ((ObjectNode) subj.get(1)).set("digest", a);
        env.put("payload", Base64.getEncoder().encodeToString(CanonicalJson.bytes(st)));
        Files.writeString(envFile, CanonicalJson.pretty(env));
        VerificationReport r = verify();
        assertThat(r.valid()).isFalse();
        assertThat(r.problems()).anyMatch(s -> s.contains("no signature in the envelope verifies"))
                .anyMatch(s -> s.contains("has sha256"));
    }

    @Test
    void reSigningWithAnotherKeyIsDetected() throws Exception {
        // The attacker rewrites the record, recomputes every digest, and signs with their own key.
        ObjectNode rec = (ObjectNode) CanonicalJson.mapper().readTree(bundle.resolve("evidence.json").toFile());
        rec.put("terminationReason", "nothing to see");
        rec.set("signing", CanonicalJson.mapper().valueToTree(attacker.info()));
        byte[] recBytes = CanonicalJson.pretty(rec).getBytes(StandardCharsets.UTF_8);
        Files.write(bundle.resolve("evidence.json"), recBytes);
        resign(rec, attacker);
        VerificationReport pinned = verify();
        assertThat(pinned.valid()).isFalse();
        assertThat(pinned.problems()).anyMatch(s -> s.contains("no signature in the envelope verifies with key " + signer.keyId()));
        // Without a pinned key the bundle is self-consistent: the verifier says whose key that is, and warns.
        VerificationReport unpinned = BundleVerifier.verify(bundle, null, null);
        assertThat(unpinned.keyId()).isEqualTo(attacker.keyId()).isNotEqualTo(signer.keyId());
        assertThat(unpinned.warnings()).anyMatch(s -> s.contains("pass --key to pin the signer"));
    }

    @Test
    void aReplacedPatchIsDetected() throws Exception {
        Files.writeString(bundle.resolve("patch.diff"), "diff --git a/README.md b/README.md\n--- a/README.md\n+++ b/README.md\n"
                + "@@ -1 +1 @@\n-hello\n+harmless\n");
        VerificationReport r = verify();
        assertThat(r.valid()).isFalse();
        assertThat(r.problems()).anyMatch(s -> s.startsWith("subject 'patch.diff' has sha256"));
    }

    @Test
    void aRemovedOrAddedFileIsDetected() throws Exception {
        Files.delete(bundle.resolve("revert.diff"));
        Files.writeString(bundle.resolve("extra.sh"), "echo injected\n");
        VerificationReport r = verify();
        assertThat(r.problems()).contains("subject 'revert.diff' is missing from the bundle",
                "file 'extra.sh' is in the bundle but not a subject of the statement");
    }

    @Test
    void aStrippedSignatureIsDetected() throws Exception {
        Path envFile = bundle.resolve("envelope.dsse.json");
        ObjectNode env = (ObjectNode) CanonicalJson.mapper().readTree(envFile.toFile());
        env.putArray("signatures");
        Files.writeString(envFile, CanonicalJson.pretty(env));
        assertThat(BundleVerifier.verify(bundle, null, null).problems())
                .anyMatch(s -> s.contains("says signed but the envelope has no signature"));
    }

    /** Writes a fresh statement over the current files, signed by {@code who}. */
    private void resign(JsonNode record, EvidenceSigner who) throws Exception {
        Path envFile = bundle.resolve("envelope.dsse.json");
        ObjectNode env = (ObjectNode) CanonicalJson.mapper().readTree(envFile.toFile());
        ObjectNode st = (ObjectNode) CanonicalJson.mapper().readTree(Base64.getDecoder().decode(env.get("payload").asText()));
        for (JsonNode s : st.get("subject")) {
            ((ObjectNode) s.get("digest")).put("sha256", Digests.sha256Hex(bundle.resolve(s.get("name").asText())));
        }
        st.set("predicate", record);
        byte[] payload = CanonicalJson.bytes(st);
        Dsse.Sig sig = who.sign(Dsse.PAYLOAD_TYPE, payload);
        env.put("payload", Base64.getEncoder().encodeToString(payload));
        env.set("signatures", CanonicalJson.mapper().valueToTree(List.of(sig)));
        Files.writeString(envFile, CanonicalJson.pretty(env));
    }
}
