package io.jenkins.plugins.agentgate.core.profile;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Objects;

/**
 * An admin-owned sandbox profile: everything a run under it may do, and the governance it needs.
 * Lists inside are kept sorted and distinct, so equal profiles are equal records and hash alike.
 *
 * @param id          stable identifier, referenced by the class mapping and recorded in evidence
 * @param version     admin-maintained revision number
 * @param description human text; not part of the policy hash
 */
public record SandboxProfile(
        String id,
        int version,
        String description,
        ImagePolicy image,
        NetworkPolicy network,
        FilesystemPolicy filesystem,
        ToolPolicy tools,
        CredentialPolicy credentials,
        ResourceLimits limits,
        ApprovalRule approval,
        RollbackExpectation rollback,
        EvidencePolicy evidence) {

    public SandboxProfile {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(filesystem, "filesystem");
        Objects.requireNonNull(tools, "tools");
        Objects.requireNonNull(credentials, "credentials");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(approval, "approval");
        Objects.requireNonNull(rollback, "rollback");
        Objects.requireNonNull(evidence, "evidence");
        description = description == null ? "" : description;
    }

    @JsonIgnore
    public ProfileRef ref(String policyHash) {
        return new ProfileRef(id, version, policyHash);
    }
}
