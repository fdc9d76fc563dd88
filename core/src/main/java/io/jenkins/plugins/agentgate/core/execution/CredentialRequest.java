package io.jenkins.plugins.agentgate.core.execution;

import java.time.Duration;
import java.util.Objects;

/**
 * A credential a run asks for, by id. The value is never part of a request: it is resolved through a
 * {@code SecretSource} only after the policy engine has granted a lease.
 *
 * @param id   credential id as the admin's profile names it
 * @param ttl  requested lifetime, or null for the profile's maximum
 * @param mode requested injection mode, or null for the profile's first allowed mode
 */
public record CredentialRequest(String id, Duration ttl, InjectionMode mode) {
    public CredentialRequest {
        Objects.requireNonNull(id, "credential id");
    }

    public static CredentialRequest of(String id) {
        return new CredentialRequest(id, null, null);
    }
}
