package io.jenkins.plugins.agentgate.core.credentials;

import com.google.crypto.tink.subtle.Ed25519Sign;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The key run tokens are signed with: EC P-256 (ES256) or Ed25519 (EdDSA), loaded from PEM. The key id
 * ({@code kid}) is the RFC 7638 JWK thumbprint of the public key, so it changes exactly when the key does.
 *
 * <p>PEM input: an unencrypted PKCS#8 {@code PRIVATE KEY} block; for EC also the {@code PUBLIC KEY} block (the
 * Java runtime cannot derive an EC public key from the private one); for Ed25519 the public key is derived
 * when the block is absent. docs/credentials.md has the openssl commands.
 */
public final class SigningKey {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");
    private static final int ED25519_KEY_BYTES = 32;

    private final JWK privateJwk;
    private final JWSAlgorithm algorithm;

    private SigningKey(JWK privateJwk, JWSAlgorithm algorithm) {
        this.privateJwk = privateJwk;
        this.algorithm = algorithm;
    }

    /**
     * Loads a key from PEM text.
     *
     * @param pem    the PEM text
     * @param origin where it came from, for error messages (e.g. a file name)
     * @throws IllegalArgumentException naming the origin and what was expected
     */
    public static SigningKey fromPem(String pem, String origin) {
        byte[] priv = null;
        byte[] pub = null;
        Matcher m = BLOCK.matcher(pem == null ? "" : pem);
        while (m.find()) {
            String type = m.group(1);
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2).strip());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(origin + ": PEM block " + type + " is not valid base64");
            }
            switch (type) {
                case "PRIVATE KEY" -> priv = der;
                case "PUBLIC KEY" -> pub = der;
                case "EC PRIVATE KEY", "OPENSSH PRIVATE KEY", "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(origin
                        + ": a " + type + " block is not supported; expected an unencrypted PKCS#8 'PRIVATE KEY'"
                        + " (convert with: openssl pkcs8 -topk8 -nocrypt -in KEY)");
                default -> { /* certificates and others are ignored */ }
            }
        }
        if (priv == null) {
            throw new IllegalArgumentException(origin + ": no '-----BEGIN PRIVATE KEY-----' block; expected an unencrypted"
                    + " PKCS#8 EC P-256 or Ed25519 private key");
        }
        try {
            SigningKey key = load(priv, pub, origin);
            key.selfTest(origin);
            return key;
        } catch (GeneralSecurityException | JOSEException e) {
            throw new IllegalArgumentException(origin + ": the key cannot be used: " + e.getMessage()
                    + "; expected an EC P-256 or Ed25519 key", e);
        } finally {
            Arrays.fill(priv, (byte) 0);
        }
    }

    private static SigningKey load(byte[] priv, byte[] pub, String origin) throws GeneralSecurityException, JOSEException {
        PrivateKey pk = privateKey(priv, origin);
        if (pk instanceof ECPrivateKey ec) {
            if (!isP256(ec.getParams())) {
                throw new IllegalArgumentException(origin + ": the EC key is not on curve P-256; expected P-256 (ES256)");
            }
            if (pub == null) {
                throw new IllegalArgumentException(origin + ": an EC key needs its '-----BEGIN PUBLIC KEY-----' block too"
                        + " (append it with: openssl pkey -in KEY -pubout >> KEY)");
            }
            PublicKey p = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(pub));
            ECKey jwk = new ECKey.Builder(Curve.P_256, (ECPublicKey) p).privateKey(ec)
                    .keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256).keyIDFromThumbprint().build();
            return new SigningKey(jwk, JWSAlgorithm.ES256);
        }
        if (pk instanceof EdECPrivateKey ed && "Ed25519".equalsIgnoreCase(ed.getParams().getName())) {
            byte[] seed = ed.getBytes().orElseThrow(() -> new IllegalArgumentException(origin + ": the Ed25519 key has no seed"));
            byte[] x = Ed25519Sign.KeyPair.newKeyPairFromSeed(seed).getPublicKey();
            if (pub != null) {
                byte[] given = Arrays.copyOfRange(pub, pub.length - ED25519_KEY_BYTES, pub.length);
                if (!Arrays.equals(given, x)) {
                    throw new IllegalArgumentException(origin + ": the PUBLIC KEY block does not belong to the private key");
                }
            }
            OctetKeyPair jwk = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).d(Base64URL.encode(seed))
                    .keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.EdDSA).keyIDFromThumbprint().build();
            Arrays.fill(seed, (byte) 0);
            return new SigningKey(jwk, JWSAlgorithm.EdDSA);
        }
        throw new IllegalArgumentException(origin + ": a " + pk.getAlgorithm() + " key is not supported; expected EC P-256 or Ed25519");
    }

    private static PrivateKey privateKey(byte[] der, String origin) throws GeneralSecurityException {
        for (String alg : List.of("EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (java.security.spec.InvalidKeySpecException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(origin + ": the PRIVATE KEY block is neither an EC nor an Ed25519 PKCS#8 key"
                + " (RSA is not supported); expected EC P-256 or Ed25519");
    }

    private static boolean isP256(ECParameterSpec p) {
        return Curve.forECParameterSpec(p) == Curve.P_256;
    }

    /** Signs and verifies once, so that a public key that does not belong to the private key fails at load time. */
    private void selfTest(String origin) throws JOSEException {
        com.nimbusds.jose.JWSObject probe = new com.nimbusds.jose.JWSObject(
                new com.nimbusds.jose.JWSHeader(algorithm), new com.nimbusds.jose.Payload("agentgate-key-check"));
        probe.sign(signer());
        com.nimbusds.jose.JWSVerifier v = privateJwk instanceof ECKey ec
                ? new com.nimbusds.jose.crypto.ECDSAVerifier(ec.toPublicJWK())
                : new com.nimbusds.jose.crypto.Ed25519Verifier(((OctetKeyPair) privateJwk).toPublicJWK());
        if (!probe.verify(v)) {
            throw new IllegalArgumentException(origin + ": the PUBLIC KEY block does not belong to the private key");
        }
    }

    JWSSigner signer() throws JOSEException {
        return privateJwk instanceof ECKey ec ? new ECDSASigner(ec) : new Ed25519Signer((OctetKeyPair) privateJwk);
    }

    /** ES256 or EdDSA. */
    public String algorithm() {
        return algorithm.getName();
    }

    public String keyId() {
        return privateJwk.getKeyID();
    }

    /** The public JWK (no private parts). */
    public JWK publicJwk() {
        return privateJwk.toPublicJWK();
    }

    /** {@code {"keys":[{...public key, kid, alg, use:"sig"}]}}, for a service to verify run tokens with. */
    public String jwksJson() {
        return new JWKSet(publicJwk()).toString(true);
    }

    JWSAlgorithm jwsAlgorithm() {
        return algorithm;
    }

    @Override
    public String toString() {
        return "SigningKey[" + algorithm + ", kid=" + keyId() + "]";
    }
}
