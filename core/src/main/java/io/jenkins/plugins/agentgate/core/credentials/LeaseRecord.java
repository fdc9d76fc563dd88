package io.jenkins.plugins.agentgate.core.credentials;

import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import java.time.Duration;
import java.time.Instant;

/**
 * What evidence records about a lease: everything except the value.
 *
 * @param credentialId  the credential id the policy granted
 * @param scope         what the lease is good for: {@code run:<runId>} for a secret, the audience for a minted token
 * @param ttl           granted lifetime
 * @param mode          injection mode
 * @param target        the environment variable name (env mode) or the file path inside the sandbox (file mode)
 * @param issuedAt      when the lease was issued
 * @param expiresAt     {@code issuedAt + ttl}
 * @param fingerprint   {@code hmac-sha256:<32 hex>}: HMAC-SHA256 of the value under a random per-run key, truncated
 *                      to 128 bits; equal within one run for equal values, unlinkable across runs, useless for
 *                      guessing the value (see docs/credentials.md)
 * @param tokenId       the {@code jti} of a minted token, or null for a secret from a {@code SecretSource}
 * @param fileWrittenAt when the file-mode secret was written into the sandbox, or null
 * @param fileRemovedAt when the file-mode secret was removed from the sandbox, or null
 * @param status        active, expired or revoked
 * @param revoked       whether the lease was revoked
 * @param revokedAt     when it was revoked, or null
 * @param revokeReason  why (e.g. {@code step end}, {@code step failed: ...}), or null
 */
public record LeaseRecord(String credentialId, String scope, Duration ttl, InjectionMode mode, String target,
                          Instant issuedAt, Instant expiresAt, String fingerprint, String tokenId,
                          Instant fileWrittenAt, Instant fileRemovedAt, LeaseStatus status, boolean revoked,
                          Instant revokedAt, String revokeReason) {}
