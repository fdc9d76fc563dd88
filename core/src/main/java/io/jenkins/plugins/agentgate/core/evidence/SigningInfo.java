package io.jenkins.plugins.agentgate.core.evidence;

/**
 * How the envelope is signed.
 *
 * @param signed    false marks an unsigned bundle (allowed only where the profile does not require a signature)
 * @param algorithm {@code ed25519} or {@code ecdsa-p256-sha256}, else null
 * @param keyId     {@code sha256:} + hex SHA-256 of the DER public key (SubjectPublicKeyInfo), else null
 * @param publicKey the public key, PEM, for convenience only: verification trusts the key the verifier pins
 */
public record SigningInfo(boolean signed, String algorithm, String keyId, String publicKey) {
    public static final SigningInfo UNSIGNED = new SigningInfo(false, null, null, null);
}
