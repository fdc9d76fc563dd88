package io.jenkins.plugins.agentgate.core.evidence;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;

/** Signs DSSE envelopes with an Ed25519 or ECDSA P-256 private key read from a PEM file. */
public final class EvidenceSigner {
    private final PrivateKey key;
    private final PublicKey publicKey;

    private EvidenceSigner(PrivateKey key, PublicKey publicKey) {
        this.key = key;
        this.publicKey = publicKey;
    }

    /** Reads a PKCS#8 PEM private key ({@code openssl genpkey ...}); the message names the file and the expected form. */
    public static EvidenceSigner fromPem(Path privateKeyPem) throws IOException {
        PrivateKey k = PemKeys.readPrivate(privateKeyPem);
        return new EvidenceSigner(k, PemKeys.publicOf(k));
    }

    /**
     * Reads a PKCS#8 PEM private key held in memory, so a key from a credentials store never touches a disk;
     * {@code where} names its source in errors (never the key itself).
     */
    public static EvidenceSigner fromPemText(String pem, String where) throws IOException {
        PrivateKey k = PemKeys.parsePrivate(pem, where);
        return new EvidenceSigner(k, PemKeys.publicOf(k));
    }

    public String algorithm() {
        return PemKeys.algorithm(key);
    }

    public String keyId() {
        return PemKeys.keyId(publicKey);
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    SigningInfo info() {
        return new SigningInfo(true, algorithm(), keyId(), PemKeys.toPem(publicKey));
    }

    Dsse.Sig sign(String payloadType, byte[] payload) throws IOException {
        try {
            byte[] sig = Dsse.sign(key, Dsse.pae(payloadType, payload));
            return new Dsse.Sig(keyId(), java.util.Base64.getEncoder().encodeToString(sig));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot sign the evidence envelope with " + algorithm() + ": " + e.getMessage(), e);
        }
    }
}
