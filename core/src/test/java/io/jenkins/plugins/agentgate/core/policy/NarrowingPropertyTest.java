package io.jenkins.plugins.agentgate.core.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.execution.CredentialRequest;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.InjectionMode;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.execution.WorkspaceAccess;
import io.jenkins.plugins.agentgate.core.gateway.ToolDecider;
import io.jenkins.plugins.agentgate.core.profile.ApprovalRule;
import io.jenkins.plugins.agentgate.core.profile.ArgumentConstraint;
import io.jenkins.plugins.agentgate.core.profile.Connector;
import io.jenkins.plugins.agentgate.core.profile.CredentialPolicy;
import io.jenkins.plugins.agentgate.core.profile.EvidencePolicy;
import io.jenkins.plugins.agentgate.core.profile.FilesystemPolicy;
import io.jenkins.plugins.agentgate.core.profile.ImagePolicy;
import io.jenkins.plugins.agentgate.core.profile.ImageReference;
import io.jenkins.plugins.agentgate.core.profile.McpTool;
import io.jenkins.plugins.agentgate.core.profile.NetworkMode;
import io.jenkins.plugins.agentgate.core.profile.NetworkPolicy;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import io.jenkins.plugins.agentgate.core.profile.ResourceLimits;
import io.jenkins.plugins.agentgate.core.profile.RollbackExpectation;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;
import io.jenkins.plugins.agentgate.core.profile.ToolPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * No request, however it is generated, yields a plan wider than the admins' profile of its class. "Wider" is
 * checked here semantically (probing concrete hosts, images, paths and limits), independently of
 * {@link Narrowing}.
 */
class NarrowingPropertyTest {
    static final List<String> HOSTS = List.of("api.example.com", "a.api.example.com", "example.com", "evil.example.com",
            "npmjs.org", "registry.npmjs.org", "10.0.0.1", "localhost");
    static final List<Integer> PORTS = List.of(443, 80, 8080);
    static final List<String> IMAGES = List.of("registry.example.com/agents/codex:1", "registry.example.com/agents/claude:2",
            "registry.example.com/other/x:1", "busybox:1", "docker.io/library/ubuntu:24.04",
            "registry.example.com/agents/codex@sha256:" + "ab".repeat(32));
    static final List<String> BAD_IMAGES = List.of("--privileged", "a b", "x;rm -rf /");
    static final List<String> IMAGE_PATTERNS = List.of("*", "registry.example.com/*", "registry.example.com/agents/*",
            "registry.example.com/agents/codex*", "busybox:*", "*@sha256:*");
    static final List<String> MOUNTS = List.of("/opt/tools", "/opt/tools/jdk", "/opt/toolsX", "/etc", "/opt", "/opt/tools/../../etc", "relative");
    static final List<String> TOOLS = List.of("git", "npm", "curl", "kubectl", "helm");
    static final List<String> CREDS = List.of("openai-key", "npm-token", "aws-root");
    static final List<String> MCP_NAMES = List.of("read_file", "write_file", "search");
    /** Two definitions of connector "fs" (a narrower profile must not swap one for the other) and one "web". */
    static final List<Connector> FS = List.of(
            new Connector("fs", "", List.of("node", "fs.js", "/srv/docs"), null, Map.of(), List.of(), null),
            new Connector("fs", "", List.of("node", "fs.js", "/"), null, Map.of(), List.of(), null));
    static final Connector WEB = new Connector("web", "", List.of(), "http://127.0.0.1:1/mcp", Map.of(), List.of(), null);
    /** Argument probes for MCP tools: path and mode values, null meaning "absent". */
    static final List<String> PROBE_PATHS = java.util.Arrays.asList("docs/a.md", "docs/api/x", "src/b", "/srv/x", "../x", "docsx", null);
    static final List<String> PROBE_MODES = java.util.Arrays.asList("fast", "full", "slow", null);

    final PolicyEngine engine = new PolicyEngine();

    @Property(tries = 3000, edgeCases = net.jqwik.api.EdgeCasesMode.MIXIN)
    void noRequestYieldsAWiderPlan(@ForAll("profiles") SandboxProfile classProfile, @ForAll("profiles") SandboxProfile other,
                                   @ForAll("requests") RunRequest request) {
        SandboxProfile named = new SandboxProfile("other", other.version(), "", other.image(), other.network(), other.filesystem(),
                other.tools(), other.credentials(), other.limits(), other.approval(), other.rollback(), other.evidence());
        ProfileCatalog catalog = new ProfileCatalog("gen", List.of(classProfile, named),
                Map.of(request.executionClass(), classProfile.id()), List.of());
        PolicyResult result = engine.decide(catalog, request);
        Statistics.label("allowed").collect(result.allowed());
        // Guard against a vacuous property: at least 3% of generated requests (about 170 of 3000 in practice) must actually be allowed.
        Statistics.label("allowed").coverage(c -> c.check(true).percentage(p -> p >= 3.0));
        if (!result.allowed()) {
            Statistics.label("first denial").collect(result.denials().get(0).ruleId());
            assertThat(result.denials()).isNotEmpty();
            return;
        }
        assertThat(result.denials()).isEmpty();
        RunPlan plan = result.plan();
        assertWithin(plan, classProfile);
        assertThat(Narrowing.violations(plan.effective(), classProfile)).isEmpty();
    }

    static void assertWithin(RunPlan plan, SandboxProfile base) {
        SandboxProfile e = plan.effective();
        assertThat(ImageReference.isValid(plan.image())).isTrue();
        assertThat(base.image().allowed()).anyMatch(p -> ImageReference.matches(p, plan.image()));
        if (base.image().requireDigest()) {
            assertThat(ImageReference.isPinned(plan.image())).isTrue();
        }
        for (String host : HOSTS) {
            for (int port : PORTS) {
                if (e.network().permits(host, port)) {
                    assertThat(base.network().permits(host, port)).as("%s:%d reachable in plan only", host, port).isTrue();
                }
            }
        }
        assertThat(base.tools().allowed()).containsAll(e.tools().allowed());
        assertMcpWithin(e.tools(), base.tools());
        if (e.filesystem().workspace() == WorkspaceAccess.READ_WRITE) {
            assertThat(base.filesystem().workspace()).isEqualTo(WorkspaceAccess.READ_WRITE);
        }
        assertThat(e.filesystem().protectedPaths()).containsAll(base.filesystem().protectedPaths());
        for (String m : e.filesystem().extraMounts()) {
            Path p = Path.of(m);
            assertThat(p.isAbsolute() && p.normalize().equals(p)).isTrue();
            assertThat(base.filesystem().extraMounts()).anyMatch(a -> p.startsWith(Path.of(a)));
        }
        for (CredentialGrant g : plan.credentials()) {
            assertThat(base.credentials().allowed()).contains(g.id());
            assertThat(g.ttl()).isLessThanOrEqualTo(base.credentials().maxTtl()).isPositive();
            assertThat(base.credentials().injection()).contains(g.mode());
        }
        ResourceLimits l = e.limits();
        ResourceLimits b = base.limits();
        assertThat(l.cpus()).isLessThanOrEqualTo(b.cpus());
        assertThat(l.memoryBytes()).isLessThanOrEqualTo(b.memoryBytes());
        assertThat(l.pids()).isLessThanOrEqualTo(b.pids());
        assertThat(l.timeout()).isLessThanOrEqualTo(b.timeout());
        assertThat(l.maxOutputBytes()).isLessThanOrEqualTo(b.maxOutputBytes());
        assertThat(e.approval()).isEqualTo(base.approval());
        assertThat(e.rollback()).isEqualTo(base.rollback());
        assertThat(e.evidence()).isEqualTo(base.evidence());
    }

    @Property(tries = 3000)
    void mcpToolsThatNarrowingAcceptsAreSemanticallyWithin(@ForAll("smallToolPolicies") ToolPolicy candidate,
                                                           @ForAll("smallToolPolicies") ToolPolicy base) {
        boolean accepted = Narrowing.mcpViolations(candidate, base).isEmpty();
        Statistics.label("accepted with MCP tools").collect(accepted && !candidate.mcp().isEmpty());
        Statistics.label("accepted with MCP tools").coverage(c -> c.check(true).percentage(p -> p >= 2.0)); // about 80 of 3000
        if (accepted) {
            assertMcpWithin(candidate, base);
        }
    }

    /** A small space (one or two names, few constraints), so that "within" happens often and probes hit the edges. */
    @Provide
    Arbitrary<ToolPolicy> smallToolPolicies() {
        Arbitrary<ArgumentConstraint> constraint = Arbitraries.oneOf(
                Arbitraries.of("docs", "docs/api", "/srv").set().ofMinSize(1).ofMaxSize(2)
                        .map(p -> new ArgumentConstraint(List.copyOf(p), List.of())),
                Arbitraries.of("fast", "full").set().ofMinSize(1).ofMaxSize(2)
                        .map(v -> new ArgumentConstraint(List.of(), List.copyOf(v))));
        Arbitrary<Map<String, ArgumentConstraint>> args = Arbitraries.maps(Arbitraries.of("path", "mode"), constraint).ofMaxSize(2);
        Arbitrary<McpTool> tool = Combinators.combine(Arbitraries.of("read_file", "search"), Arbitraries.of("fs", "fs", "web"), args)
                .as(McpTool::new);
        return Combinators.combine(tool.list().ofMaxSize(2).uniqueElements(McpTool::name), Arbitraries.of(FS))
                .as((mcp, fs) -> new ToolPolicy(List.of(), mcp, List.of(fs, WEB)));
    }

    /** Every MCP call the plan's gateway would allow, the base's would allow too, served by the same connector. */
    static void assertMcpWithin(ToolPolicy plan, ToolPolicy base) {
        ToolDecider planDecider = new ToolDecider(plan.mcp());
        ToolDecider baseDecider = new ToolDecider(base.mcp());
        for (McpTool t : plan.mcp()) {
            assertThat(base.mcpTool(t.name())).as("MCP tool %s", t.name()).isPresent();
            assertThat(plan.connector(t.connector())).isEqualTo(base.connector(base.mcpTool(t.name()).get().connector()));
            for (String path : PROBE_PATHS) {
                for (String mode : PROBE_MODES) {
                    com.fasterxml.jackson.databind.node.ObjectNode args = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
                    if (path != null) {
                        args.put("path", path);
                    }
                    if (mode != null) {
                        args.put("mode", mode);
                    }
                    if (planDecider.decide(t.name(), args).allowed()) {
                        assertThat(baseDecider.decide(t.name(), args).allowed()).as("%s %s allowed by the plan only", t.name(), args).isTrue();
                    }
                }
            }
        }
    }

    static Arbitrary<ToolPolicy> toolPolicies() {
        Arbitrary<ArgumentConstraint> constraint = Arbitraries.oneOf(
                Arbitraries.of("docs", "docs/api", "src", "/srv").set().ofMinSize(1).ofMaxSize(2)
                        .map(p -> new ArgumentConstraint(List.copyOf(p), List.of())),
                Arbitraries.of("fast", "full", "slow").set().ofMinSize(1).ofMaxSize(2)
                        .map(v -> new ArgumentConstraint(List.of(), List.copyOf(v))));
        Arbitrary<Map<String, ArgumentConstraint>> args = Arbitraries.maps(Arbitraries.of("path", "mode"), constraint).ofMaxSize(2);
        Arbitrary<McpTool> tool = Combinators.combine(Arbitraries.of(MCP_NAMES), Arbitraries.of("fs", "web"), args).as(McpTool::new);
        return Combinators.combine(Arbitraries.of(TOOLS).list().ofMaxSize(4),
                        tool.list().ofMaxSize(3).uniqueElements(McpTool::name), Arbitraries.of(FS))
                .as((plain, mcp, fs) -> new ToolPolicy(plain, mcp, List.of(fs, WEB)));
    }

    @Provide
    Arbitrary<SandboxProfile> profiles() {
        Arbitrary<ImagePolicy> image = Combinators.combine(
                Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(6, Arbitraries.just("*")), net.jqwik.api.Tuple.of(4, Arbitraries.of(IMAGE_PATTERNS)))
                        .list().ofMinSize(1).ofMaxSize(3),
                Arbitraries.frequency(net.jqwik.api.Tuple.of(1, true), net.jqwik.api.Tuple.of(4, false)),
                images().injectNull(0.1))
                .as((a, d, def) -> new ImagePolicy(a, d, def != null && ImageReference.isValid(def) ? def : null));
        Arbitrary<NetworkPolicy> network = Combinators.combine(Arbitraries.of(NetworkMode.values()),
                destinations().list().ofMinSize(1).ofMaxSize(4), destinations().list().ofMaxSize(2))
                .as((m, a, d) -> new NetworkPolicy(m, a, d));
        Arbitrary<FilesystemPolicy> fs = Combinators.combine(Arbitraries.of(WorkspaceAccess.values()),
                Arbitraries.of(".git", "Jenkinsfile", "deploy", ".ci").list().ofMaxSize(3),
                Arbitraries.of("/opt/tools", "/opt", "/srv/cache").list().ofMaxSize(2))
                .as(FilesystemPolicy::new);
        Arbitrary<CredentialPolicy> creds = Combinators.combine(Arbitraries.of(CREDS).list().ofMaxSize(3),
                Arbitraries.integers().between(1, 60).map(Duration::ofMinutes),
                Arbitraries.of(InjectionMode.values()).list().ofMinSize(1).ofMaxSize(2), Arbitraries.of(true, false))
                .as(CredentialPolicy::new);
        Arbitrary<ResourceLimits> limits = Combinators.combine(Arbitraries.doubles().between(0.25, 4).ofScale(2),
                Arbitraries.longs().between(64, 4096).map(m -> m << 20), Arbitraries.integers().between(16, 1024),
                Arbitraries.integers().between(1, 120).map(Duration::ofMinutes), Arbitraries.longs().between(1024, 1L << 24))
                .as(ResourceLimits::new);
        return Builders.withBuilder(() -> new Object[1])
                .use(image).in((o, v) -> { o[0] = new Object[] {v, null, null, null, null, null, null}; return o; })
                .use(network).in((o, v) -> { ((Object[]) o[0])[1] = v; return o; })
                .use(fs).in((o, v) -> { ((Object[]) o[0])[2] = v; return o; })
                .use(toolPolicies()).in((o, v) -> { ((Object[]) o[0])[3] = v; return o; })
                .use(creds).in((o, v) -> { ((Object[]) o[0])[4] = v; return o; })
                .use(limits).in((o, v) -> { ((Object[]) o[0])[5] = v; return o; })
                .use(Arbitraries.of(RollbackExpectation.values())).in((o, v) -> { ((Object[]) o[0])[6] = v; return o; })
                .build(o -> {
                    Object[] f = (Object[]) o[0];
                    return new SandboxProfile("class-profile", 1, "generated", (ImagePolicy) f[0], (NetworkPolicy) f[1],
                            (FilesystemPolicy) f[2], (ToolPolicy) f[3], (CredentialPolicy) f[4], (ResourceLimits) f[5],
                            ApprovalRule.none(), (RollbackExpectation) f[6], new EvidencePolicy(false, false));
                });
    }

    static Arbitrary<String> images() {
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(19, Arbitraries.of(IMAGES)), net.jqwik.api.Tuple.of(1, Arbitraries.of(BAD_IMAGES)));
    }

    static Arbitrary<String> destinations() {
        Arbitrary<String> host = Arbitraries.oneOf(Arbitraries.of(HOSTS),
                Arbitraries.of("example.com", "api.example.com", "npmjs.org").map(h -> "*." + h));
        return Combinators.combine(host, Arbitraries.of("", ":80", ":443", ":*", ":8080")).as((h, p) -> h + p);
    }

    @Provide
    Arbitrary<RunRequest> requests() {
        return Builders.withBuilder(() -> RunRequest.builder(ExecutionClass.DELIVERY).requester("gen"))
                .use(Arbitraries.of("class-profile", "other").injectNull(0.7)).in(RunRequest.Builder::profileId)
                .use(images().injectNull(0.6)).in(RunRequest.Builder::image)
                .use(Arbitraries.oneOf(Arbitraries.of(TOOLS), Arbitraries.of(MCP_NAMES)).list().ofMaxSize(2).injectNull(0.6))
                .in(RunRequest.Builder::tools)
                .use(destinations().list().ofMaxSize(3).injectNull(0.4)).in(RunRequest.Builder::network)
                .use(Arbitraries.of(MOUNTS).list().ofMaxSize(1)).in(RunRequest.Builder::mounts)
                .use(Arbitraries.of(WorkspaceAccess.values()).injectNull(0.5)).in(RunRequest.Builder::workspace)
                .use(Arbitraries.integers().between(-1, 150).map(Duration::ofMinutes).injectNull(0.7)).in(RunRequest.Builder::timeout)
                .use(Arbitraries.doubles().between(0, 6).ofScale(2).injectNull(0.7)).in(RunRequest.Builder::cpus)
                .use(Arbitraries.longs().between(0, 8192).map(m -> m << 20).injectNull(0.7)).in(RunRequest.Builder::memoryBytes)
                .use(Arbitraries.integers().between(-5, 2048).injectNull(0.7)).in(RunRequest.Builder::pids)
                .use(Arbitraries.longs().between(-1, 1L << 25).injectNull(0.7)).in(RunRequest.Builder::maxOutputBytes)
                .use(Combinators.combine(Arbitraries.of(CREDS), Arbitraries.integers().between(-1, 90).map(Duration::ofMinutes).injectNull(0.4),
                                Arbitraries.of(InjectionMode.values()).injectNull(0.4)).as(CredentialRequest::new).list().ofMaxSize(1))
                .in(RunRequest.Builder::credentials)
                .build(RunRequest.Builder::build);
    }
}
