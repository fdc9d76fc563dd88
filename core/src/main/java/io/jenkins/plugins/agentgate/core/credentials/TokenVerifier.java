package io.jenkins.plugins.agentgate.core.credentials;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Set;

/**
 * Verifies a run token the way a federating service would: signature by the JWKS key named in {@code kid}
 * (ES256 on P-256 or EdDSA on Ed25519 only; the key's type must fit the header's algorithm), {@code typ} JWT,
 * {@code iss} exact, {@code aud} containing the expected scope, {@code exp}/{@code nbf} against a clock with a
 * bounded skew, and {@code sub}, {@code iat}, {@code jti} present.
 *
 * <p>Key selection is done here rather than by nimbus' {@code JWSVerificationKeySelector}, which cannot hand
 * out Ed25519 (OKP) keys.
 */
public final class TokenVerifier {
    private final JWKSet jwks;
    private final DefaultJWTClaimsVerifier<?> claims;

    /**
     * @param jwksJson the issuer's published JWKS
     * @param issuer   expected {@code iss}
     * @param audience expected {@code aud}
     * @param clock    the verifier's time
     * @param skew     tolerated clock difference
     * @throws ParseException when the JWKS is not a valid JWK set
     */
    public TokenVerifier(String jwksJson, String issuer, String audience, Clock clock, Duration skew) throws ParseException {
        this.jwks = JWKSet.parse(jwksJson);
        this.claims = new DefaultJWTClaimsVerifier<>(audience, new JWTClaimsSet.Builder().issuer(issuer).build(),
                Set.of("sub", "iat", "nbf", "exp", "jti")) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        claims.setMaxClockSkew((int) skew.toSeconds());
    }

    /**
     * @return the verified claims
     * @throws TokenRejectedException with the reason (bad signature, unknown key, expired, wrong audience, ...)
     */
    public JWTClaimsSet verify(String token) throws TokenRejectedException {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            JWSHeader h = jwt.getHeader();
            if (!JOSEObjectType.JWT.equals(h.getType())) {
                throw new TokenRejectedException("token type " + h.getType() + " is not JWT", null);
            }
            JWK key = h.getKeyID() == null ? null : jwks.getKeyByKeyId(h.getKeyID());
            if (key == null) {
                throw new TokenRejectedException("no key with kid " + h.getKeyID() + " in the JWKS", null);
            }
            if (!jwt.verify(verifier(h.getAlgorithm(), key))) {
                throw new TokenRejectedException("signature does not verify with key " + h.getKeyID(), null);
            }
            JWTClaimsSet c = jwt.getJWTClaimsSet();
            claims.verify(c, null);
            return c;
        } catch (ParseException | JOSEException | BadJWTException e) {
            throw new TokenRejectedException(e.getMessage(), e);
        }
    }

    private static JWSVerifier verifier(JWSAlgorithm alg, JWK key) throws JOSEException, TokenRejectedException {
        if (JWSAlgorithm.ES256.equals(alg) && key instanceof ECKey ec && Curve.P_256.equals(ec.getCurve())) {
            return new ECDSAVerifier(ec.toPublicJWK());
        }
        if (JWSAlgorithm.EdDSA.equals(alg) && key instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())) {
            return new Ed25519Verifier(okp.toPublicJWK());
        }
        throw new TokenRejectedException("algorithm " + alg + " does not fit key " + key.getKeyID() + " (" + key.getKeyType()
                + "); expected ES256 with a P-256 key or EdDSA with an Ed25519 key", null);
    }

    /** A token failed verification. */
    public static final class TokenRejectedException extends Exception {
        public TokenRejectedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
