package io.jenkins.plugins.agentgate.core.credentials;

import java.time.Instant;

/**
 * A signed run token. {@link #toString()} leaves out the serialized token: it is a bearer credential.
 *
 * @param serialized compact JWS
 * @param tokenId    {@code jti}
 * @param subject    {@code sub}: the run id
 * @param audience   {@code aud}: the requested scope
 * @param issuedAt   {@code iat} (and {@code nbf})
 * @param expiresAt  {@code exp}
 */
public record MintedToken(String serialized, String tokenId, String subject, String audience, Instant issuedAt,
                          Instant expiresAt) {
    @Override
    public String toString() {
        return "MintedToken[jti=" + tokenId + ", sub=" + subject + ", aud=" + audience + ", iat=" + issuedAt
                + ", exp=" + expiresAt + ", token=****]";
    }
}
