package io.jenkins.plugins.agentgate.core.credentials;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Date;
import java.util.Set;

/**
 * Verifies a run token the way a federating service would: signature against a published JWKS, {@code iss}
 * exact, {@code aud} containing the expected scope, {@code exp}/{@code nbf} against a clock with a bounded skew,
 * {@code sub}, {@code iat} and {@code jti} present. Used by tests and by {@code agentgate} tooling.
 */
public final class TokenVerifier {
    private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();

    /**
     * @param jwksJson the issuer's published JWKS
     * @param issuer   expected {@code iss}
     * @param audience expected {@code aud}
     * @param clock    the verifier's time
     * @param skew     tolerated clock difference
     * @throws ParseException when the JWKS is not valid JSON/JWKS
     */
    public TokenVerifier(String jwksJson, String issuer, String audience, Clock clock, Duration skew) throws ParseException {
        JWKSet jwks = JWKSet.parse(jwksJson);
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(Set.of(JWSAlgorithm.ES256, JWSAlgorithm.EdDSA),
                new ImmutableJWKSet<>(jwks)));
        DefaultJWTClaimsVerifier<SecurityContext> claims = new DefaultJWTClaimsVerifier<>(audience,
                new JWTClaimsSet.Builder().issuer(issuer).build(), Set.of("sub", "iat", "nbf", "exp", "jti")) {
            @Override
            protected Date currentTime() {
                return Date.from(clock.instant());
            }
        };
        claims.setMaxClockSkew((int) skew.toSeconds());
        processor.setJWTClaimsSetVerifier(claims);
    }

    /**
     * @return the verified claims
     * @throws TokenRejectedException with the reason (bad signature, expired, wrong audience, ...)
     */
    public JWTClaimsSet verify(String token) throws TokenRejectedException {
        try {
            return processor.process(token, null);
        } catch (ParseException | com.nimbusds.jose.proc.BadJOSEException | com.nimbusds.jose.JOSEException e) {
            throw new TokenRejectedException(e.getMessage(), e);
        }
    }

    /** A token failed verification. */
    public static final class TokenRejectedException extends Exception {
        public TokenRejectedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
