package io.jenkins.plugins.agentgate.core.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.execution.WorkspaceAccess;
import io.jenkins.plugins.agentgate.core.policy.PolicyEngine;
import io.jenkins.plugins.agentgate.core.policy.RunPlan;
import io.jenkins.plugins.agentgate.core.profile.DefaultCatalog;
import io.jenkins.plugins.agentgate.core.profile.NetworkMode;
import io.jenkins.plugins.agentgate.core.profile.NetworkPolicy;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxSpecsTest {
    @TempDir
    Path tmp;

    RunPlan plan(WorkspaceAccess access) {
        return new PolicyEngine().decide(DefaultCatalog.get(), RunRequest.builder(ExecutionClass.DRAFT)
                .image("agentgate-example/busybox:1").workspace(access).build()).plan();
    }

    @Test
    void aDraftPlanBecomesAClosedNonRootSandboxWithTheTaskFile() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.createDirectories(ws.resolve(".git"));
        Path task = Files.writeString(tmp.resolve("task.md"), "do it");
        SandboxSpec s = new SandboxSpecs(new MountValidator(List.of()))
                .fromPlan(plan(WorkspaceAccess.READ_WRITE), ws, task, "r1", List.of("true"), null, Instant.now());
        assertThat(s.network().isNone()).isTrue();
        assertThat(s.uid()).isPositive();
        assertThat(s.mounts()).containsExactly(new Mount(ws.toRealPath(), "/workspace", false),
                new Mount(ws.toRealPath().resolve(".git"), "/workspace/.git", true),
                new Mount(task.toRealPath(), SandboxSpec.TASK_FILE, true));
        assertThat(s.env()).containsEntry(SandboxSpec.TASK_FILE_ENV, SandboxSpec.TASK_FILE);
        assertThat(s.timeout()).isEqualTo(DefaultCatalog.defaultLimits().timeout());
    }

    @Test
    void aReadOnlyWorkspaceNeedsNoProtectedMounts() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Files.createDirectories(ws.resolve(".git"));
        Path task = Files.writeString(tmp.resolve("task.md"), "do it");
        SandboxSpec s = new SandboxSpecs(new MountValidator(List.of()))
                .fromPlan(plan(WorkspaceAccess.READ_ONLY), ws, task, "r1", List.of("true"), null, Instant.now());
        assertThat(s.mounts().get(0).readOnly()).isTrue();
        assertThat(s.mounts()).hasSize(2);
    }

    @Test
    void anAllowlistPlanIsRefusedWithoutTheEgressProxy() throws Exception {
        RunPlan p = plan(WorkspaceAccess.READ_WRITE);
        SandboxProfile e = p.effective();
        SandboxProfile open = new SandboxProfile(e.id(), e.version(), e.description(), e.image(),
                new NetworkPolicy(NetworkMode.ALLOWLIST, List.of("api.example.com:443"), List.of()), e.filesystem(), e.tools(),
                e.credentials(), e.limits(), e.approval(), e.rollback(), e.evidence());
        RunPlan allow = new RunPlan(p.executionClass(), p.classProfile(), open, p.image(), p.credentials(), p.requester());
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Path task = Files.writeString(tmp.resolve("task.md"), "x");
        SandboxSpecs specs = new SandboxSpecs(new MountValidator(List.of()));
        assertThatThrownBy(() -> specs.fromPlan(allow, ws, task, "r1", List.of("true"), null, Instant.now()))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("allows network destinations [api.example.com:443]")
                .hasMessageContaining("no egress proxy");
        assertThat(specs.fromPlan(allow, ws, task, "r1", List.of("true"), SandboxNetwork.attached("agentgate-egress-r1",
                Map.of("HTTPS_PROXY", "http://proxy:3128")), Instant.now()).network().dockerNetwork()).isEqualTo("agentgate-egress-r1");
        assertThatThrownBy(() -> specs.fromPlan(p, ws, task, "r1", List.of("true"), SandboxNetwork.attached("n1", Map.of()), Instant.now()))
                .hasMessageContaining("allows no network");
    }

    RunPlan allowlistPlan() {
        RunPlan p = plan(WorkspaceAccess.READ_WRITE);
        SandboxProfile e = p.effective();
        SandboxProfile open = new SandboxProfile(e.id(), e.version(), e.description(), e.image(),
                new NetworkPolicy(NetworkMode.ALLOWLIST, List.of("api.example.com:443"), List.of()), e.filesystem(), e.tools(),
                e.credentials(), e.limits(), e.approval(), e.rollback(), e.evidence());
        return new RunPlan(p.executionClass(), p.classProfile(), open, p.image(), p.credentials(), p.requester());
    }

    static SandboxNetwork relayNetwork(Path sock, Path relay) {
        return SandboxNetwork.proxied(Map.of("HTTP_PROXY", "http://127.0.0.1:3128"),
                List.of(new Mount(sock, "/.agentgate/egress", true), new Mount(relay, "/.agentgate/egress-relay", true)),
                "/.agentgate/egress-relay", List.of("--listen", "3128", "--"));
    }

    @Test
    void aProxiedNetworkIsAcceptedForAnAllowlistPlanWithItsMountsResolved() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Path task = Files.writeString(tmp.resolve("task.md"), "x");
        Path sock = Files.createDirectories(tmp.resolve("egress/sock"));
        Path relay = Files.writeString(tmp.resolve("egress/relay"), "binary");
        SandboxSpecs specs = new SandboxSpecs(new MountValidator(List.of()));
        SandboxSpec s = specs.fromPlan(allowlistPlan(), ws, task, "r1", List.of("true"), relayNetwork(sock, relay), Instant.now());
        assertThat(s.network().isProxied()).isTrue();
        assertThat(s.network().dockerNetwork()).isEqualTo("none");
        assertThat(s.network().mounts()).containsExactly(new Mount(sock.toRealPath(), "/.agentgate/egress", true),
                new Mount(relay.toRealPath(), "/.agentgate/egress-relay", true));
        assertThat(s.command()).containsExactly("true"); // the relay prefix is the network's, added only on argv
        // a closed profile takes no relay
        assertThatThrownBy(() -> specs.fromPlan(plan(WorkspaceAccess.READ_WRITE), ws, task, "r1", List.of("true"),
                relayNetwork(sock, relay), Instant.now())).hasMessageContaining("allows no network")
                .hasMessageContaining("with an egress relay");
    }

    @Test
    void networkMountSourcesAreConfinedLikeEveryOtherMount() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Path task = Files.writeString(tmp.resolve("task.md"), "x");
        Path sock = Files.createDirectories(tmp.resolve("egress/sock"));
        Path relay = Files.writeString(tmp.resolve("egress/relay"), "binary");
        SandboxSpecs specs = new SandboxSpecs(new MountValidator(List.of()));
        RunPlan allow = allowlistPlan();
        // inside the workspace: the agent could swap the relay it runs through
        Path inWs = Files.writeString(ws.resolve("relay"), "binary");
        assertThatThrownBy(() -> specs.fromPlan(allow, ws, task, "r1", List.of("true"), relayNetwork(sock, inWs), Instant.now()))
                .isInstanceOf(SandboxException.class).hasMessageContaining("overlaps the workspace");
        // around the workspace
        assertThatThrownBy(() -> specs.fromPlan(allow, ws, task, "r1", List.of("true"), relayNetwork(tmp, relay), Instant.now()))
                .isInstanceOf(SandboxException.class).hasMessageContaining("overlaps the workspace");
        // through a symlink
        Path link = Files.createSymbolicLink(tmp.resolve("relay-link"), relay);
        assertThatThrownBy(() -> specs.fromPlan(allow, ws, task, "r1", List.of("true"), relayNetwork(sock, link), Instant.now()))
                .isInstanceOf(SandboxException.class).hasMessageContaining("resolves through a symlink");
        // missing
        assertThatThrownBy(() -> specs.fromPlan(allow, ws, task, "r1", List.of("true"), relayNetwork(sock, tmp.resolve("gone")),
                Instant.now())).isInstanceOf(SandboxException.class).hasMessageContaining("does not exist");
        // containing an engine socket
        SandboxSpecs guarded = new SandboxSpecs(new MountValidator(List.of(sock.resolve("engine.sock"))));
        assertThatThrownBy(() -> guarded.fromPlan(allow, ws, task, "r1", List.of("true"), relayNetwork(sock, relay), Instant.now()))
                .isInstanceOf(SandboxException.class).hasMessageContaining("container engine socket");
    }

    ToolChannel channel(Path sockDir, Path mcpDir, Path relay) {
        return new ToolChannel(3129, "/.agentgate/tools/gateway.sock",
                List.of(new Mount(sockDir, "/.agentgate/tools", true), new Mount(mcpDir, "/.agentgate/mcp", true)),
                new Mount(relay, "/.agentgate/tools-relay", true), Map.of("AGENTGATE_MCP_URL", "http://127.0.0.1:3129/mcp"));
    }

    @Test
    void aToolChannelIsAcceptedWithNetworkNoneAndAddsNoWayOut() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Path task = Files.writeString(tmp.resolve("task.md"), "x");
        Path sockDir = Files.createDirectories(tmp.resolve("tools/sock"));
        Path mcpDir = Files.createDirectories(tmp.resolve("tools/mcp"));
        Path relay = Files.writeString(tmp.resolve("tools/relay"), "binary");
        SandboxSpecs specs = new SandboxSpecs(new MountValidator(List.of()));
        SandboxSpec s = specs.fromPlan(plan(WorkspaceAccess.READ_WRITE), ws, task, "r1", List.of("true"), null,
                channel(sockDir, mcpDir, relay), Instant.now());
        assertThat(s.network().isNone()).isTrue();
        assertThat(s.network().dockerNetwork()).isEqualTo("none");
        assertThat(s.network().tools().mounts()).containsExactly(new Mount(sockDir.toRealPath(), "/.agentgate/tools", true),
                new Mount(mcpDir.toRealPath(), "/.agentgate/mcp", true));
        assertThat(s.network().containerEntrypoint()).isEqualTo("/.agentgate/tools-relay");
        assertThat(s.clientEnvironment()).containsKey("AGENTGATE_MCP_URL").doesNotContainKeys("HTTP_PROXY", "HTTPS_PROXY");
        // with the egress relay of an allowlist plan: one relay, both pairs
        Path egressSock = Files.createDirectories(tmp.resolve("egress/sock"));
        Path egressRelay = Files.writeString(tmp.resolve("egress/relay"), "binary");
        SandboxSpec both = specs.fromPlan(allowlistPlan(), ws, task, "r1", List.of("true"), relayNetwork(egressSock, egressRelay),
                channel(sockDir, mcpDir, relay), Instant.now());
        assertThat(both.network().isProxied()).isTrue();
        assertThat(both.network().command(List.of("true"))).containsExactly("--listen", "3128", "--listen", "3129", "--socket",
                "/.agentgate/tools/gateway.sock", "--", "true");
    }

    @Test
    void toolChannelMountsAreConfinedLikeNetworkMounts() throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        Path task = Files.writeString(tmp.resolve("task.md"), "x");
        Path sockDir = Files.createDirectories(tmp.resolve("tools/sock"));
        Path mcpDir = Files.createDirectories(tmp.resolve("tools/mcp"));
        Path relay = Files.writeString(tmp.resolve("tools/relay"), "binary");
        SandboxSpecs specs = new SandboxSpecs(new MountValidator(List.of()));
        RunPlan p = plan(WorkspaceAccess.READ_WRITE);
        Path inWs = Files.createDirectories(ws.resolve("mcp"));
        assertThatThrownBy(() -> specs.fromPlan(p, ws, task, "r1", List.of("true"), null, channel(sockDir, inWs, relay), Instant.now()))
                .isInstanceOf(SandboxException.class).hasMessageContaining("overlaps the workspace");
        Path relayInWs = Files.writeString(ws.resolve("relay"), "binary");
        assertThatThrownBy(() -> specs.fromPlan(p, ws, task, "r1", List.of("true"), null, channel(sockDir, mcpDir, relayInWs),
                Instant.now())).isInstanceOf(SandboxException.class).hasMessageContaining("overlaps the workspace");
        Path link = Files.createSymbolicLink(tmp.resolve("sock-link"), sockDir);
        assertThatThrownBy(() -> specs.fromPlan(p, ws, task, "r1", List.of("true"), null, channel(link, mcpDir, relay), Instant.now()))
                .isInstanceOf(SandboxException.class).hasMessageContaining("resolves through a symlink");
        SandboxSpecs guarded = new SandboxSpecs(new MountValidator(List.of(sockDir.resolve("engine.sock"))));
        assertThatThrownBy(() -> guarded.fromPlan(p, ws, task, "r1", List.of("true"), null, channel(sockDir, mcpDir, relay),
                Instant.now())).isInstanceOf(SandboxException.class).hasMessageContaining("container engine socket");
        // the channel does not open a closed profile: an egress relay for it is still refused
        Path egressSock = Files.createDirectories(tmp.resolve("egress/sock"));
        Path egressRelay = Files.writeString(tmp.resolve("egress/relay"), "binary");
        assertThatThrownBy(() -> specs.fromPlan(p, ws, task, "r1", List.of("true"), relayNetwork(egressSock, egressRelay),
                channel(sockDir, mcpDir, relay), Instant.now())).hasMessageContaining("allows no network");
    }
}
