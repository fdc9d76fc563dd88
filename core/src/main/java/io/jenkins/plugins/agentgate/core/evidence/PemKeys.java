package io.jenkins.plugins.agentgate.core.evidence;

import io.jenkins.plugins.agentgate.core.json.Digests;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

/**
 * PEM keys for evidence signing: PKCS#8 private keys ({@code BEGIN PRIVATE KEY}, as {@code openssl genpkey}
 * writes them) and SubjectPublicKeyInfo public keys ({@code BEGIN PUBLIC KEY}), Ed25519 or ECDSA P-256.
 * The JDK parses, signs and verifies; Bouncy Castle only derives the public key from a private one.
 */
public final class PemKeys {
    private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");
    private static final byte[] ED25519_SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    static final String P256_FORM = "an Ed25519 or ECDSA P-256 key in PEM (openssl genpkey -algorithm ed25519, or "
            + "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)";

    private PemKeys() {}

    public static PrivateKey readPrivate(Path pem) throws IOException {
        return privateOf(block(pem, "PRIVATE KEY"), pem);
    }

    /** A PKCS#8 PEM private key held in memory (e.g. resolved from a credentials store); {@code where} names it in errors. */
    public static PrivateKey parsePrivate(String pemText, String where) throws IOException {
        return privateOf(blockOf(pemText == null ? "" : pemText, "PRIVATE KEY", where), where);
    }

    private static PrivateKey privateOf(byte[] der, Object pem) throws IOException {
        for (String alg : new String[] {"Ed25519", "EC"}) {
            try {
                PrivateKey k = KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
                if (k instanceof ECPrivateKey ec && ec.getParams().getCurve().getField().getFieldSize() != 256) {
                    throw new IOException("'" + pem + "' holds an EC key on a " + ec.getParams().getCurve().getField()
                            .getFieldSize() + "-bit curve; expected " + P256_FORM);
                }
                return k;
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException("'" + pem + "' is not a PKCS#8 private key Agent Gate can use; expected " + P256_FORM);
    }

    public static PublicKey readPublic(Path pem) throws IOException {
        return parsePublic(block(pem, "PUBLIC KEY"), pem.toString());
    }

    public static PublicKey parsePublicPem(String pemText) throws IOException {
        return parsePublic(blockOf(pemText, "PUBLIC KEY", "public key text"), "public key text");
    }

    private static PublicKey parsePublic(byte[] der, String where) throws IOException {
        for (String alg : new String[] {"Ed25519", "EC"}) {
            try {
                return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IOException("'" + where + "' is not a public key Agent Gate can use; expected " + P256_FORM);
    }

    /** Derives the public key of an Ed25519 or P-256 private key. */
    public static PublicKey publicOf(PrivateKey key) throws IOException {
        try {
            if (key instanceof EdECPrivateKey ed) {
                byte[] seed = ed.getBytes().orElseThrow(() -> new IOException("the Ed25519 key has no private bytes"));
                byte[] raw = new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded();
                byte[] spki = new byte[ED25519_SPKI_PREFIX.length + raw.length];
                System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
                System.arraycopy(raw, 0, spki, ED25519_SPKI_PREFIX.length, raw.length);
                return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            }
            if (key instanceof ECPrivateKey ec) {
                X9ECParameters curve = ECNamedCurveTable.getByName("secp256r1");
                org.bouncycastle.math.ec.ECPoint q = curve.getG().multiply(ec.getS()).normalize();
                ECParameterSpec params = ec.getParams();
                ECPoint w = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
                return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, params));
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot derive the public key: " + e.getMessage(), e);
        }
        throw new IOException("unsupported key type " + key.getAlgorithm() + "; expected " + P256_FORM);
    }

    /** {@code sha256:} + hex SHA-256 of the DER SubjectPublicKeyInfo: the DSSE keyid. */
    public static String keyId(PublicKey key) {
        return "sha256:" + Digests.sha256Hex(key.getEncoded());
    }

    public static String toPem(PublicKey key) {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded());
        return "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n";
    }

    /** {@code ed25519} or {@code ecdsa-p256-sha256}. */
    public static String algorithm(java.security.Key key) {
        if (key instanceof ECPublicKey || key instanceof ECPrivateKey) {
            return "ecdsa-p256-sha256";
        }
        return "ed25519";
    }

    private static byte[] block(Path pem, String type) throws IOException {
        if (!Files.isRegularFile(pem)) {
            throw new IOException("key file '" + pem + "' does not exist or is not a regular file; expected " + P256_FORM);
        }
        return blockOf(Files.readString(pem, StandardCharsets.US_ASCII), type, pem.toString());
    }

    private static byte[] blockOf(String text, String type, String where) throws IOException {
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                return Base64.getMimeDecoder().decode(m.group(2));
            }
            if (m.group(1).endsWith("PRIVATE KEY") && type.equals("PRIVATE KEY")) {
                throw new IOException("'" + where + "' holds a '" + m.group(1) + "' block; expected a PKCS#8 "
                        + "'PRIVATE KEY' (convert with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.p8.pem)");
            }
        }
        throw new IOException("'" + where + "' has no '-----BEGIN " + type + "-----' block; expected " + P256_FORM);
    }
}
