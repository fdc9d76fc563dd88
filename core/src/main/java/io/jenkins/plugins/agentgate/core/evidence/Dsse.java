package io.jenkins.plugins.agentgate.core.evidence;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.List;

/**
 * DSSE (Dead Simple Signing Envelope) v1: the signature covers PAE(payloadType, payload), never the JSON
 * envelope, so re-serialising the envelope cannot change what was signed.
 */
public final class Dsse {
    public static final String PAYLOAD_TYPE = "application/vnd.in-toto+json";

    private Dsse() {}

    /** One signature; {@code sig} is base64 of the raw Ed25519 signature or the DER ECDSA signature. */
    public record Sig(@JsonProperty("keyid") String keyid, @JsonProperty("sig") String sig) {}

    /** The envelope: base64 payload, its type, and zero (unsigned) or more signatures. */
    public record Envelope(@JsonProperty("payload") String payload, @JsonProperty("payloadType") String payloadType,
                           @JsonProperty("signatures") List<Sig> signatures) {
        public Envelope {
            signatures = signatures == null ? List.of() : List.copyOf(signatures);
        }
    }

    /** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body, lengths as ASCII decimal bytes. */
    public static byte[] pae(String payloadType, byte[] payload) {
        byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + type.length + 32);
        out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(type);
        out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    static String jcaAlgorithm(java.security.Key key) {
        return "ecdsa-p256-sha256".equals(PemKeys.algorithm(key)) ? "SHA256withECDSA" : "Ed25519";
    }

    static byte[] sign(PrivateKey key, byte[] message) throws GeneralSecurityException {
        Signature s = Signature.getInstance(jcaAlgorithm(key));
        s.initSign(key);
        s.update(message);
        return s.sign();
    }

    static boolean verify(PublicKey key, byte[] message, byte[] sig) {
        try {
            Signature s = Signature.getInstance(jcaAlgorithm(key));
            s.initVerify(key);
            s.update(message);
            return s.verify(sig);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // a malformed signature is simply not a valid one
        }
    }
}
