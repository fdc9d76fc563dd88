package io.jenkins.plugins.agentgate.core.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A key held in memory (a credentials store's secret) signs like the same key read from a file. */
class EvidenceSignerTest {

    @TempDir
    Path dir;

    private static String pem(KeyPair kp) {
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(kp.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    @Test
    void readsTheSameKeyFromTextAsFromAFile() throws Exception {
        KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        Path file = Files.writeString(dir.resolve("k.pem"), pem(kp));
        EvidenceSigner fromText = EvidenceSigner.fromPemText(pem(kp), "credential sign-key");
        assertThat(fromText.keyId()).isEqualTo(EvidenceSigner.fromPem(file).keyId()).isEqualTo(PemKeys.keyId(kp.getPublic()));
        assertThat(fromText.algorithm()).isEqualTo(EvidenceSigner.fromPem(file).algorithm());
    }

    @Test
    void namesTheSourceNotTheValueWhenTheTextIsNoKey() {
        assertThatThrownBy(() -> EvidenceSigner.fromPemText("not a key at all", "credential sign-key"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("'credential sign-key' has no '-----BEGIN PRIVATE KEY-----' block")
                .hasMessageNotContaining("not a key at all");
        assertThatThrownBy(() -> EvidenceSigner.fromPemText(null, "credential sign-key")).isInstanceOf(IOException.class);
    }
}
