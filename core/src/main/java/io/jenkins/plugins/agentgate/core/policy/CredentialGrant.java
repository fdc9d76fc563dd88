package io.jenkins.plugins.agentgate.core.policy;

import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import java.time.Duration;

/** A credential lease the policy granted: id, lifetime and injection mode (never a value). */
public record CredentialGrant(String id, Duration ttl, InjectionMode mode) {}
