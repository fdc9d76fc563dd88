package io.jenkins.plugins.agentgate.core.credentials;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.UUID;

/**
 * Mints short-lived run tokens (JWT) that a service can federate on, as clouds do with Jenkins' oidc-provider
 * tokens: {@code iss} = this issuer, {@code sub} = run id, {@code aud} = the requested scope, {@code iat} =
 * {@code nbf} = now, {@code exp} ≤ now + TTL, {@code jti} unique. Signed with a {@link SigningKey}; the service
 * verifies with {@link SigningKey#jwksJson()}.
 */
public final class TokenIssuer {
    private final String issuer;
    private final SigningKey key;
    private final Clock clock;

    /**
     * @param issuer the {@code iss} claim, an https URL or another stable name the verifier is configured with
     */
    public TokenIssuer(String issuer, SigningKey key, Clock clock) {
        if (issuer == null || issuer.isBlank()) {
            throw new IllegalArgumentException("token issuer is empty; expected a stable name such as https://jenkins.example/agentgate");
        }
        this.issuer = issuer;
        this.key = key;
        this.clock = clock;
    }

    /**
     * @param runId    the {@code sub} claim
     * @param audience the {@code aud} claim: the one scope the token is good for
     * @param ttl      lifetime; {@code exp} is rounded down to whole seconds so it never exceeds it
     */
    public MintedToken mint(String runId, String audience, Duration ttl) {
        if (runId == null || runId.isBlank()) {
            throw new IllegalArgumentException("run id is empty; expected the id of the run the token is for");
        }
        if (audience == null || audience.isBlank()) {
            throw new IllegalArgumentException("token audience is empty; expected the scope the token is for");
        }
        if (ttl == null || ttl.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new IllegalArgumentException("token TTL " + ttl + " is too short; expected at least 1 second");
        }
        Instant now = clock.instant();
        Instant iat = now.truncatedTo(ChronoUnit.SECONDS);
        Instant exp = now.plus(ttl).truncatedTo(ChronoUnit.SECONDS);
        String jti = UUID.randomUUID().toString();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(issuer).subject(runId).audience(audience)
                .issueTime(Date.from(iat)).notBeforeTime(Date.from(iat)).expirationTime(Date.from(exp))
                .jwtID(jti).build();
        JWSHeader header = new JWSHeader.Builder(key.jwsAlgorithm()).keyID(key.keyId()).type(JOSEObjectType.JWT).build();
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(key.signer());
        } catch (JOSEException e) {
            throw new IllegalStateException("signing the run token failed: " + e.getMessage(), e);
        }
        return new MintedToken(jwt.serialize(), jti, runId, audience, iat, exp);
    }

    public String issuer() {
        return issuer;
    }

    public SigningKey key() {
        return key;
    }

}
