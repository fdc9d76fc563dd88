package io.jenkins.plugins.agentgate.core.policy;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.profile.ProfileRef;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;
import java.util.List;

/**
 * The effective plan of an allowed run: the class profile narrowed by the request. Everything the sandbox,
 * the credential broker and the evidence need comes from here, never from the request directly.
 *
 * @param executionClass declared class
 * @param classProfile   the admins' profile for the class (id, version, hash)
 * @param effective      the narrowed profile the run executes under (its extra mounts are the granted ones)
 * @param image          the image to run
 * @param credentials    granted leases
 * @param requester      who asked
 */
public record RunPlan(ExecutionClass executionClass, ProfileRef classProfile, SandboxProfile effective, String image,
                      List<CredentialGrant> credentials, String requester) {
    public RunPlan {
        credentials = List.copyOf(credentials);
    }

    /**
     * The "system policy hash": SHA-256 of the canonical form of {@link #effective()}. Computed on demand (a
     * few microseconds), so that a decision that is only checked does not pay for it.
     */
    public String policyHash() {
        return PolicyHash.of(effective);
    }
}
