package io.jenkins.plugins.agentgate.core.profile;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import io.jenkins.plugins.agentgate.core.execution.WorkspaceAccess;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Safe built-in profiles for the three classes, used when the admins have configured nothing. They are
 * also the defaults of every field a catalog file leaves out (see docs/profiles.md).
 */
public final class DefaultCatalog {
    public static final String DRAFT = "draft-default";
    public static final String DELIVERY = "delivery-default";
    public static final String PRIVILEGED = "privileged-default";

    private DefaultCatalog() {}

    public static ProfileCatalog get() {
        return new ProfileCatalog("built-in", List.of(draft(), delivery(), privileged()),
                Map.of(ExecutionClass.DRAFT, DRAFT, ExecutionClass.DELIVERY, DELIVERY, ExecutionClass.PRIVILEGED, PRIVILEGED),
                List.of());
    }

    public static ResourceLimits defaultLimits() {
        return new ResourceLimits(1.0, 1L << 30, 256, Duration.ofMinutes(30), 10L << 20);
    }

    public static FilesystemPolicy defaultFilesystem() {
        return new FilesystemPolicy(WorkspaceAccess.READ_WRITE, FilesystemPolicy.DEFAULT_PROTECTED, List.of());
    }

    public static CredentialPolicy noCredentials() {
        return new CredentialPolicy(List.of(), Duration.ofMinutes(15), List.of(InjectionMode.ENV, InjectionMode.FILE), false);
    }

    static SandboxProfile draft() {
        return new SandboxProfile(DRAFT, 1, "Draft: documentation and content; no network, no credentials, no approval.",
                new ImagePolicy(List.of("*"), false, null),
                NetworkPolicy.closed(),
                defaultFilesystem(),
                new ToolPolicy(List.of()),
                noCredentials(),
                defaultLimits(),
                ApprovalRule.none(),
                RollbackExpectation.BEST_EFFORT,
                new EvidencePolicy(false, false));
    }

    static SandboxProfile delivery() {
        return new SandboxProfile(DELIVERY, 1, "Delivery: code changes; closed network unless allowlisted; owner approval.",
                new ImagePolicy(List.of("*"), false, null),
                NetworkPolicy.closed(),
                defaultFilesystem(),
                new ToolPolicy(List.of()),
                new CredentialPolicy(List.of(), Duration.ofMinutes(30), List.of(InjectionMode.ENV, InjectionMode.FILE), false),
                defaultLimits(),
                new ApprovalRule(ApprovalMode.OWNER, Approvers.none(), false, Duration.ofHours(24), List.of(), List.of(), false),
                RollbackExpectation.REQUIRED,
                new EvidencePolicy(false, false));
    }

    static SandboxProfile privileged() {
        return new SandboxProfile(PRIVILEGED, 1, "Privileged: production changes; dual control, short credential TTLs, pinned images.",
                new ImagePolicy(List.of("*"), true, null),
                NetworkPolicy.closed(),
                defaultFilesystem(),
                new ToolPolicy(List.of()),
                new CredentialPolicy(List.of(), Duration.ofMinutes(10), List.of(InjectionMode.FILE), true),
                new ResourceLimits(1.0, 1L << 30, 256, Duration.ofMinutes(15), 10L << 20),
                new ApprovalRule(ApprovalMode.DUAL, Approvers.none(), false, Duration.ofHours(4), List.of(), List.of(), false),
                RollbackExpectation.REQUIRED,
                new EvidencePolicy(false, true));
    }
}
