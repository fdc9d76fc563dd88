package io.jenkins.plugins.agentgate.core.policy;

import io.jenkins.plugins.agentgate.core.profile.ArgumentConstraint;
import io.jenkins.plugins.agentgate.core.profile.Destination;
import io.jenkins.plugins.agentgate.core.profile.ImageReference;
import io.jenkins.plugins.agentgate.core.profile.NetworkMode;
import io.jenkins.plugins.agentgate.core.profile.McpTool;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;
import io.jenkins.plugins.agentgate.core.profile.ToolPolicy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * "Is A at most as wide as B?", dimension by dimension. Used when a pipeline names another profile than its
 * class's, and by tests as the definition of "narrower".
 */
public final class Narrowing {
    private Narrowing() {}

    /** Every way {@code candidate} grants more than {@code base}; empty when it is within. */
    public static List<String> violations(SandboxProfile candidate, SandboxProfile base) {
        List<String> v = new ArrayList<>();
        for (String p : candidate.image().allowed()) {
            if (base.image().allowed().stream().noneMatch(q -> imagePatternWithin(p, q))) {
                v.add("image pattern '" + p + "' is not covered by " + base.image().allowed());
            }
        }
        if (base.image().requireDigest() && !candidate.image().requireDigest()) {
            v.add("image digest pinning is not required, but " + base.id() + " requires it");
        }
        if (candidate.network().mode() == NetworkMode.ALLOWLIST) {
            if (base.network().mode() == NetworkMode.NONE) {
                v.add("network is open to " + candidate.network().allow() + ", but " + base.id() + " has no network");
            } else {
                for (Destination d : candidate.network().allowed()) {
                    if (!destinationWithin(d, base.network().allowed())) {
                        v.add("destination '" + d + "' is not covered by " + base.network().allow());
                    }
                }
            }
        }
        if (!candidate.filesystem().workspace().isWithin(base.filesystem().workspace())) {
            v.add("workspace is " + candidate.filesystem().workspace().id() + ", but " + base.id() + " allows "
                    + base.filesystem().workspace().id());
        }
        for (String m : candidate.filesystem().extraMounts()) {
            if (!mountWithin(m, base.filesystem().extraMounts())) {
                v.add("extra mount '" + m + "' is not under " + base.filesystem().extraMounts());
            }
        }
        for (String t : candidate.tools().allowed()) {
            if (!base.tools().allowed().contains(t)) {
                v.add("tool '" + t + "' is not in " + base.tools().allowed());
            }
        }
        v.addAll(mcpViolations(candidate.tools(), base.tools()));
        for (String c : candidate.credentials().allowed()) {
            if (!base.credentials().allowed().contains(c)) {
                v.add("credential '" + c + "' is not in " + base.credentials().allowed());
            }
        }
        if (candidate.credentials().maxTtl().compareTo(base.credentials().maxTtl()) > 0) {
            v.add("credential max TTL " + candidate.credentials().maxTtl() + " exceeds " + base.credentials().maxTtl());
        }
        if (!base.credentials().injection().containsAll(candidate.credentials().injection())) {
            v.add("injection modes " + candidate.credentials().injection() + " exceed " + base.credentials().injection());
        }
        var cl = candidate.limits();
        var bl = base.limits();
        if (cl.cpus() > bl.cpus()) {
            v.add("cpus " + cl.cpus() + " exceed " + bl.cpus());
        }
        if (cl.memoryBytes() > bl.memoryBytes()) {
            v.add("memory " + cl.memoryBytes() + " exceeds " + bl.memoryBytes());
        }
        if (cl.pids() > bl.pids()) {
            v.add("pids " + cl.pids() + " exceed " + bl.pids());
        }
        if (cl.timeout().compareTo(bl.timeout()) > 0) {
            v.add("timeout " + cl.timeout() + " exceeds " + bl.timeout());
        }
        if (cl.maxOutputBytes() > bl.maxOutputBytes()) {
            v.add("output cap " + cl.maxOutputBytes() + " exceeds " + bl.maxOutputBytes());
        }
        if (!candidate.filesystem().protectedPaths().containsAll(base.filesystem().protectedPaths())) {
            v.add("protected paths " + candidate.filesystem().protectedPaths() + " leave out some of "
                    + base.filesystem().protectedPaths());
        }
        if (candidate.network().mode() == NetworkMode.ALLOWLIST && !candidate.network().deny().containsAll(base.network().deny())) {
            v.add("network deny list " + candidate.network().deny() + " leaves out some of " + base.network().deny());
        }
        if (base.credentials().requireFileWhenOutlasting() && !candidate.credentials().requireFileWhenOutlasting()) {
            v.add("credentials outlasting the run need file mode in " + base.id());
        }
        return v;
    }

    /** MCP tools: each must be the base's (same connector, same connector definition) with constraints at least as tight. */
    static List<String> mcpViolations(ToolPolicy candidate, ToolPolicy base) {
        List<String> v = new ArrayList<>();
        for (McpTool t : candidate.mcp()) {
            McpTool b = base.mcpTool(t.name()).orElse(null);
            if (b == null) {
                v.add("MCP tool '" + t.name() + "' is not in " + base.mcp().stream().map(McpTool::name).toList());
                continue;
            }
            if (!b.connector().equals(t.connector())
                    || !candidate.connector(t.connector()).equals(base.connector(b.connector()))) {
                v.add("MCP tool '" + t.name() + "' uses connector '" + t.connector() + "', which differs from the base's '"
                        + b.connector() + "'");
                continue;
            }
            for (Map.Entry<String, ArgumentConstraint> e : b.args().entrySet()) {
                ArgumentConstraint c = t.args().get(e.getKey());
                if (c == null || !constraintWithin(c, e.getValue())) {
                    v.add("MCP tool '" + t.name() + "' argument '" + e.getKey() + "' is " + (c == null ? "unconstrained" : c)
                            + ", wider than " + e.getValue());
                }
            }
        }
        return v;
    }

    /** Everything {@code c} admits, {@code base} admits. */
    static boolean constraintWithin(ArgumentConstraint c, ArgumentConstraint base) {
        if (!base.prefix().isEmpty()) {
            if (c.prefix().isEmpty() || !c.prefix().stream().allMatch(p -> base.prefix().stream()
                    .anyMatch(q -> ArgumentConstraint.isUnder(p, q)))) {
                return false;
            }
        }
        return base.values().isEmpty() || !c.values().isEmpty() && base.values().containsAll(c.values());
    }

    /**
     * Sound containment of image globs: {@code p} is within {@code q} when {@code q} matches {@code p} read
     * literally. A '*' of {@code p} can only be matched by a '*' of {@code q} (references hold no '*'), so
     * anything {@code p} matches, {@code q} matches too.
     */
    static boolean imagePatternWithin(String p, String q) {
        return ImageReference.matches(q, p);
    }

    static boolean destinationWithin(Destination d, List<Destination> patterns) {
        return patterns.stream().anyMatch(d::isWithin);
    }

    static boolean mountWithin(String mount, List<String> allowed) {
        Path m = Path.of(mount).normalize();
        if (!m.isAbsolute() || !m.toString().equals(mount)) {
            return false;
        }
        return allowed.stream().map(Path::of).anyMatch(m::startsWith);
    }
}
