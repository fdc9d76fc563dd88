package io.jenkins.plugins.agentgate.core.policy;

import io.jenkins.plugins.agentgate.core.execution.CredentialRequest;
import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.execution.WorkspaceAccess;
import io.jenkins.plugins.agentgate.core.profile.CredentialPolicy;
import io.jenkins.plugins.agentgate.core.profile.Destination;
import io.jenkins.plugins.agentgate.core.profile.FilesystemPolicy;
import io.jenkins.plugins.agentgate.core.profile.ImagePolicy;
import io.jenkins.plugins.agentgate.core.profile.ImageReference;
import io.jenkins.plugins.agentgate.core.profile.McpTool;
import io.jenkins.plugins.agentgate.core.profile.NetworkMode;
import io.jenkins.plugins.agentgate.core.profile.NetworkPolicy;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import io.jenkins.plugins.agentgate.core.profile.ResourceLimits;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;
import io.jenkins.plugins.agentgate.core.profile.ToolPolicy;
import io.jenkins.plugins.agentgate.core.profile.Values;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Decides what a run may do: (catalog, request) → decisions + effective plan. A request only narrows the
 * profile of its class; anything beyond it is a denial naming the rule, never a silent widening. The engine
 * is stateless and pure, so the Jenkins plugin and the CLI get identical answers.
 */
public final class PolicyEngine {

    public PolicyResult decide(ProfileCatalog catalog, RunRequest request) {
        List<Decision> d = new ArrayList<>();
        String cls = request.executionClass().id();
        Optional<SandboxProfile> mapped = catalog.profileFor(request.executionClass());
        if (mapped.isEmpty()) {
            d.add(Decision.deny("class", cls, Rules.CLASS_MAPPED, "class " + cls + " has no profile in " + catalog.source()));
            return new PolicyResult(d, null);
        }
        SandboxProfile classProfile = mapped.get();
        d.add(Decision.allow("class", cls, Rules.CLASS_MAPPED, "class " + cls + " runs under profile " + classProfile.id()));

        SandboxProfile base = classProfile;
        if (request.profileId() != null && !request.profileId().equals(classProfile.id())) {
            Optional<SandboxProfile> named = catalog.find(request.profileId());
            if (named.isEmpty()) {
                d.add(Decision.deny("profile", request.profileId(), Rules.PROFILE_KNOWN,
                        "no profile '" + request.profileId() + "' in " + catalog.source()));
                return new PolicyResult(d, null);
            }
            List<String> wider = Narrowing.violations(named.get(), classProfile);
            if (!wider.isEmpty()) {
                d.add(Decision.deny("profile", request.profileId(), Rules.PROFILE_NARROWER,
                        "profile " + request.profileId() + " is wider than " + classProfile.id() + ": " + String.join("; ", wider)));
                return new PolicyResult(d, null);
            }
            d.add(Decision.allow("profile", request.profileId(), Rules.PROFILE_NARROWER,
                    "profile " + request.profileId() + " is within " + classProfile.id()));
            // Governance (approval, rollback, evidence) always stays the class's: a pipeline cannot pick its approvers.
            SandboxProfile n = named.get();
            base = new SandboxProfile(n.id(), n.version(), n.description(), n.image(), n.network(), n.filesystem(),
                    n.tools(), n.credentials(), n.limits(), classProfile.approval(), classProfile.rollback(), classProfile.evidence());
        }

        // A narrower profile without its own default image falls back to the class's (checked against its list).
        String requestedImage = request.image() != null ? request.image()
                : base.image().defaultImage() != null ? base.image().defaultImage() : classProfile.image().defaultImage();
        String image = image(base.image(), requestedImage, d);
        ToolPolicy tools = tools(base.tools(), request.tools(), d);
        NetworkPolicy network = network(base.network(), request.network(), d);
        FilesystemPolicy fs = filesystem(base.filesystem(), request.workspace(), request.mounts(), d);
        ResourceLimits limits = limits(base.limits(), request, d);
        List<CredentialGrant> grants = new ArrayList<>();
        CredentialPolicy creds = credentials(base.credentials(), request.credentials(), limits.timeout(), grants, d);

        if (d.stream().anyMatch(Decision::denied)) {
            return new PolicyResult(d, null);
        }
        SandboxProfile effective = new SandboxProfile(base.id(), base.version(), base.description(),
                new ImagePolicy(List.of(image), base.image().requireDigest(), image), network, fs, tools, creds, limits,
                base.approval(), base.rollback(), base.evidence());
        RunPlan plan = new RunPlan(request.executionClass(), classProfile.ref(PolicyHash.cached(classProfile)), effective, image,
                grants, request.requester());
        return new PolicyResult(d, plan);
    }

    private static String image(ImagePolicy policy, String requested, List<Decision> d) {
        String ref = requested != null ? requested : policy.defaultImage();
        if (ref == null) {
            d.add(Decision.deny("image", "(none)", Rules.IMAGE_REQUIRED,
                    "no image was given and the profile has no default image; expected an image matching " + policy.allowed()));
            return null;
        }
        if (!ImageReference.isValid(ref)) {
            d.add(Decision.deny("image", ref, Rules.IMAGE_VALID, "not a valid image reference; expected " + ImageReference.REFERENCE_FORM));
            return null;
        }
        String match = policy.allowed().stream().filter(p -> ImageReference.matches(p, ref)).findFirst().orElse(null);
        if (match == null) {
            d.add(Decision.deny("image", ref, Rules.IMAGE_ALLOWLIST, "image matches none of " + policy.allowed()));
            return null;
        }
        if (policy.requireDigest() && !ImageReference.isPinned(ref)) {
            d.add(Decision.deny("image", ref, Rules.IMAGE_DIGEST, "the profile requires a pinned digest (name@sha256:<64 hex>)"));
            return null;
        }
        d.add(Decision.allow("image", ref, Rules.IMAGE_ALLOWLIST, "matches '" + match + "'"));
        return ref;
    }

    private static ToolPolicy tools(ToolPolicy policy, List<String> requested, List<Decision> d) {
        if (requested == null) {
            d.add(Decision.allow("tools", String.join(",", policy.names()), Rules.TOOL_ALLOWLIST, "as the profile declares"));
            return policy;
        }
        List<String> granted = new ArrayList<>();
        List<McpTool> grantedMcp = new ArrayList<>();
        for (String t : new LinkedHashSet<>(requested)) {
            Optional<McpTool> mcp = policy.mcpTool(t);
            if (policy.allowed().contains(t)) {
                d.add(Decision.allow("tool", t, Rules.TOOL_ALLOWLIST, "declared by the profile"));
                granted.add(t);
            } else if (mcp.isPresent()) {
                d.add(Decision.allow("tool", t, Rules.TOOL_ALLOWLIST, "declared by the profile (MCP, connector "
                        + mcp.get().connector() + ")"));
                grantedMcp.add(mcp.get());
            } else {
                d.add(Decision.deny("tool", t, Rules.TOOL_ALLOWLIST, "not declared; the profile allows " + policy.names()));
            }
        }
        // The constructor keeps only the connectors the granted MCP tools use.
        return new ToolPolicy(granted, grantedMcp, policy.connectors());
    }

    private static NetworkPolicy network(NetworkPolicy policy, List<String> requested, List<Decision> d) {
        if (requested == null) {
            d.add(Decision.allow("network", policy.mode() == NetworkMode.NONE ? "none" : String.join(",", policy.allow()),
                    policy.mode() == NetworkMode.NONE ? Rules.NETWORK_CLOSED : Rules.NETWORK_ALLOWLIST, "as the profile allows"));
            return policy;
        }
        List<String> granted = new ArrayList<>();
        for (String text : new LinkedHashSet<>(requested)) {
            Destination dest;
            try {
                dest = Destination.parse(text);
            } catch (IllegalArgumentException e) {
                d.add(Decision.deny("network", text, Rules.NETWORK_SYNTAX, e.getMessage()));
                continue;
            }
            if (policy.mode() == NetworkMode.NONE) {
                d.add(Decision.deny("network", text, Rules.NETWORK_CLOSED, "the profile allows no network"));
            } else if (policy.denied().stream().anyMatch(dest::isWithin)) {
                d.add(Decision.deny("network", text, Rules.NETWORK_DENYLIST, "matches the profile's deny list " + policy.deny()));
            } else if (!Narrowing.destinationWithin(dest, policy.allowed())) {
                d.add(Decision.deny("network", text, Rules.NETWORK_ALLOWLIST, "not covered by the profile's allow list " + policy.allow()));
            } else {
                d.add(Decision.allow("network", text, Rules.NETWORK_ALLOWLIST, "covered by the profile's allow list"));
                granted.add(dest.toString());
            }
        }
        return granted.isEmpty() ? NetworkPolicy.closed() : new NetworkPolicy(NetworkMode.ALLOWLIST, granted, policy.deny());
    }

    private static FilesystemPolicy filesystem(FilesystemPolicy policy, WorkspaceAccess access, List<String> mounts,
                                               List<Decision> d) {
        WorkspaceAccess ws = policy.workspace();
        if (access != null) {
            if (access.isWithin(policy.workspace())) {
                d.add(Decision.allow("workspace", access.id(), Rules.WORKSPACE_ACCESS, "within " + policy.workspace().id()));
                ws = access;
            } else {
                d.add(Decision.deny("workspace", access.id(), Rules.WORKSPACE_ACCESS, "the profile allows only " + policy.workspace().id()));
            }
        }
        List<String> granted = new ArrayList<>();
        for (String m : new LinkedHashSet<>(mounts)) {
            if (Narrowing.mountWithin(m, policy.extraMounts())) {
                d.add(Decision.allow("mount", m, Rules.MOUNT_ALLOWLIST, "under an allowed extra mount, read-only"));
                granted.add(m);
            } else {
                d.add(Decision.deny("mount", m, Rules.MOUNT_ALLOWLIST, "not an absolute normalized path under " + policy.extraMounts()));
            }
        }
        return new FilesystemPolicy(ws, policy.protectedPaths(), granted);
    }

    private static ResourceLimits limits(ResourceLimits p, RunRequest r, List<Decision> d) {
        double cpus = p.cpus();
        if (r.cpus() != null) {
            cpus = check(d, "limit.cpus", Rules.LIMIT_CPUS, r.cpus() > 0 && r.cpus() <= p.cpus(), String.valueOf(r.cpus()),
                    "a positive value up to " + p.cpus()) ? r.cpus() : cpus;
        }
        long mem = p.memoryBytes();
        if (r.memoryBytes() != null) {
            mem = check(d, "limit.memory", Rules.LIMIT_MEMORY, r.memoryBytes() >= (6L << 20) && r.memoryBytes() <= p.memoryBytes(),
                    String.valueOf(r.memoryBytes()), "6m up to " + p.memoryBytes() + " bytes") ? r.memoryBytes() : mem;
        }
        int pids = p.pids();
        if (r.pids() != null) {
            pids = check(d, "limit.pids", Rules.LIMIT_PIDS, r.pids() > 0 && r.pids() <= p.pids(), String.valueOf(r.pids()),
                    "1 up to " + p.pids()) ? r.pids() : pids;
        }
        Duration timeout = p.timeout();
        if (r.timeout() != null) {
            timeout = check(d, "limit.timeout", Rules.LIMIT_TIMEOUT,
                    !r.timeout().isNegative() && !r.timeout().isZero() && r.timeout().compareTo(p.timeout()) <= 0,
                    Values.format(r.timeout()), "a positive duration up to " + Values.format(p.timeout())) ? r.timeout() : timeout;
        }
        long out = p.maxOutputBytes();
        if (r.maxOutputBytes() != null) {
            out = check(d, "limit.output", Rules.LIMIT_OUTPUT, r.maxOutputBytes() > 0 && r.maxOutputBytes() <= p.maxOutputBytes(),
                    String.valueOf(r.maxOutputBytes()), "1 up to " + p.maxOutputBytes() + " bytes") ? r.maxOutputBytes() : out;
        }
        return new ResourceLimits(cpus, mem, pids, timeout, out);
    }

    private static boolean check(List<Decision> d, String subject, String rule, boolean ok, String requested, String expected) {
        d.add(ok ? Decision.allow(subject, requested, rule, "within the profile (" + expected + ")")
                : Decision.deny(subject, requested, rule, "beyond the profile; expected " + expected));
        return ok;
    }

    private static CredentialPolicy credentials(CredentialPolicy policy, List<CredentialRequest> requested, Duration timeout,
                                                List<CredentialGrant> grants, List<Decision> d) {
        Set<String> seen = new LinkedHashSet<>();
        for (CredentialRequest c : requested) {
            if (!seen.add(c.id())) {
                continue;
            }
            if (!policy.allowed().contains(c.id())) {
                d.add(Decision.deny("credential", c.id(), Rules.CREDENTIAL_ALLOWLIST, "not allowed; the profile allows " + policy.allowed()));
                continue;
            }
            Duration ttl = c.ttl() == null ? policy.maxTtl() : c.ttl();
            if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(policy.maxTtl()) > 0) {
                d.add(Decision.deny("credential", c.id(), Rules.CREDENTIAL_TTL, "TTL " + Values.format(ttl)
                        + " is beyond the profile; expected a positive duration up to " + Values.format(policy.maxTtl())));
                continue;
            }
            InjectionMode mode = c.mode() != null ? c.mode() : policy.injection().isEmpty() ? null
                    : policy.requireFileWhenOutlasting() && ttl.compareTo(timeout) < 0 && policy.injection().contains(InjectionMode.FILE)
                    ? InjectionMode.FILE : policy.injection().get(0);
            if (mode == null || !policy.injection().contains(mode)) {
                d.add(Decision.deny("credential", c.id(), Rules.CREDENTIAL_INJECTION, "injection mode " + (mode == null ? "(none)" : mode.id())
                        + " is not allowed; expected one of " + policy.injection()));
                continue;
            }
            if (policy.requireFileWhenOutlasting() && ttl.compareTo(timeout) < 0 && mode != InjectionMode.FILE) {
                d.add(Decision.deny("credential", c.id(), Rules.CREDENTIAL_FILE_WHEN_OUTLASTING, "TTL " + Values.format(ttl)
                        + " is shorter than the run's timeout " + Values.format(timeout) + "; expected injection mode file, which can be revoked mid-run"));
                continue;
            }
            d.add(Decision.allow("credential", c.id(), Rules.CREDENTIAL_ALLOWLIST, "lease for " + Values.format(ttl) + " as " + mode.id()));
            grants.add(new CredentialGrant(c.id(), ttl, mode));
        }
        return new CredentialPolicy(grants.stream().map(CredentialGrant::id).toList(), policy.maxTtl(), policy.injection(),
                policy.requireFileWhenOutlasting());
    }
}
