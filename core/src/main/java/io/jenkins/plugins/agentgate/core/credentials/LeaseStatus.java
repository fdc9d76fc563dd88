package io.jenkins.plugins.agentgate.core.credentials;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a lease is in its life. */
public enum LeaseStatus {
    /** Issued and within its TTL. */
    ACTIVE,
    /** Its TTL ran out during the run (a file-mode secret was removed from the sandbox then). */
    EXPIRED,
    /** Revoked at step end (or on failure); its value was wiped from memory. */
    REVOKED;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
