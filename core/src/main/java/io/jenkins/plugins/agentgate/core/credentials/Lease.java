package io.jenkins.plugins.agentgate.core.credentials;

import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import io.jenkins.plugins.agentgate.core.port.SecretValue;
import java.time.Duration;
import java.time.Instant;

/**
 * One issued lease: its value (held only by the broker, wiped on revocation) and its record. Mutable state
 * changes only under the broker's lock. {@link #toString()} shows the record, never the value.
 */
public final class Lease {
    private final String credentialId;
    private final String scope;
    private final Duration ttl;
    private final InjectionMode mode;
    private final String target;
    private final Instant issuedAt;
    private final Instant expiresAt;
    private final String fingerprint;
    private final String tokenId;
    final SecretValue value;
    Instant fileWrittenAt;
    Instant fileRemovedAt;
    boolean expired;
    Instant revokedAt;
    String revokeReason;

    Lease(String credentialId, String scope, Duration ttl, InjectionMode mode, String target, Instant issuedAt,
          String fingerprint, String tokenId, SecretValue value) {
        this.credentialId = credentialId;
        this.scope = scope;
        this.ttl = ttl;
        this.mode = mode;
        this.target = target;
        this.issuedAt = issuedAt;
        this.expiresAt = issuedAt.plus(ttl);
        this.fingerprint = fingerprint;
        this.tokenId = tokenId;
        this.value = value;
    }

    public String credentialId() {
        return credentialId;
    }

    public InjectionMode mode() {
        return mode;
    }

    /** Environment variable name (env mode) or absolute file path in the sandbox (file mode). */
    public String target() {
        return target;
    }

    public Instant expiresAt() {
        return expiresAt;
    }

    LeaseRecord record() {
        LeaseStatus status = revokedAt != null ? LeaseStatus.REVOKED : expired ? LeaseStatus.EXPIRED : LeaseStatus.ACTIVE;
        return new LeaseRecord(credentialId, scope, ttl, mode, target, issuedAt, expiresAt, fingerprint, tokenId,
                fileWrittenAt, fileRemovedAt, status, revokedAt != null, revokedAt, revokeReason);
    }

    @Override
    public String toString() {
        return "Lease" + record();
    }
}
