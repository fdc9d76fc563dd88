package io.jenkins.plugins.agentgate.core.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DockerArgsTest {
    static final String IMAGE_ID = "sha256:" + "a".repeat(64);
    final DockerArgs args = new DockerArgs("docker");

    static SandboxSpec spec(List<Mount> mounts, Map<String, String> env, Map<String, String> secrets) {
        return new SandboxSpec("run-1", "draft-default", "agentgate-example/busybox:1", List.of("sh", "-c", "echo $X"), 1000, 1000,
                mounts, env, secrets, SandboxNetwork.none(), 1.5, 256L << 20, 64, Duration.ofMinutes(5), 1024,
                Instant.parse("2026-11-27T10:00:00Z"));
    }

    static SandboxSpec spec() {
        return spec(List.of(new Mount(Path.of("/srv/ws"), SandboxSpec.WORKSPACE, false),
                        new Mount(Path.of("/srv/ws/.git"), "/workspace/.git", true)),
                Map.of("PLAIN", "plain-value"), Map.of("TOKEN", "s3cr3t-value"));
    }

    @Test
    void createCarriesEveryHardeningFlag() {
        List<String> a = args.create(spec(), IMAGE_ID);
        assertThat(a).startsWith("docker", "create");
        assertThat(String.join(" ", a)).contains(
                "--init", "--read-only", "--cap-drop ALL", "--security-opt no-new-privileges", "--network none",
                "--user 1000:1000", "--pids-limit 64", "--memory 268435456", "--memory-swap 268435456", "--cpus 1.500",
                "--tmpfs /tmp:rw,noexec,nosuid,nodev,size=64m,mode=1777", "--pull never", "--ipc private", "--log-driver none",
                "--tmpfs /run/agentgate/secrets:rw,noexec,nosuid,nodev,size=1m,mode=0700,uid=1000,gid=1000",
                "--label io.jenkins.agentgate.run-id=run-1", "--label io.jenkins.agentgate.profile=draft-default",
                "--label io.jenkins.agentgate.created=2026-11-27T10:00:00Z");
        // deadline = created + timeout + grace
        long deadline = Instant.parse("2026-11-27T10:00:00Z").plus(Duration.ofMinutes(5)).plus(DockerArgs.REAP_GRACE).getEpochSecond();
        assertThat(a).contains("io.jenkins.agentgate.deadline=" + deadline);
    }

    @Test
    void createNeverWidens() {
        List<String> a = args.create(spec(), IMAGE_ID);
        String joined = String.join(" ", a);
        assertThat(a).doesNotContain("--privileged", "--cap-add", "--device", "--pid", "--uts", "-v", "--volume",
                "--volumes-from", "--userns", "--security-opt=seccomp=unconfined");
        assertThat(joined).doesNotContain("docker.sock", "host", "unconfined", "apparmor");
    }

    @Test
    void environmentValuesNeverReachArgv() {
        List<String> a = args.create(spec(), IMAGE_ID);
        assertThat(String.join(" ", a)).doesNotContain("plain-value", "s3cr3t-value");
        int i = a.indexOf("TOKEN");
        assertThat(a.get(i - 1)).isEqualTo("-e");
        assertThat(a.get(a.indexOf("PLAIN") - 1)).isEqualTo("-e");
    }

    @Test
    void mountsInOrderWithReadOnlyOnTop() {
        List<String> a = args.create(spec(), IMAGE_ID);
        assertThat(a).containsSubsequence(
                "--mount", "type=bind,source=/srv/ws,target=/workspace,bind-propagation=rprivate",
                "--mount", "type=bind,source=/srv/ws/.git,target=/workspace/.git,readonly,bind-propagation=rprivate");
    }

    @Test
    void imageIdThenCommandEndTheArgv() {
        List<String> a = args.create(spec(), IMAGE_ID);
        assertThat(a.subList(a.size() - 4, a.size())).containsExactly(IMAGE_ID, "sh", "-c", "echo $X");
    }

    @Test
    void onlyPinnedImageIdsAreCreated() {
        assertThatThrownBy(() -> args.create(spec(), "--privileged")).hasMessageContaining("sha256:<64 hex digits>");
        assertThatThrownBy(() -> args.create(spec(), "busybox")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void injectionThroughMountPathsIsRefused() {
        for (String bad : List.of("/srv/ws,readonly=false", "/srv/ws:/etc", "/srv/\"ws", "/srv/ws\nx", "/srv/ws=1")) {
            assertThatThrownBy(() -> new Mount(Path.of(bad), SandboxSpec.WORKSPACE, false))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected a path without");
        }
        assertThatThrownBy(() -> new Mount(Path.of("relative"), SandboxSpec.WORKSPACE, false)).hasMessageContaining("not absolute");
    }

    @Test
    void injectionThroughImageNamesIsRefused() {
        for (String bad : List.of("--privileged", "-v/:/host", "busybox --network=host", "BusyBox", "busybox\n", "")) {
            assertThatThrownBy(() -> new SandboxSpec("run-1", "p", bad, List.of("true"), 1000, 1000, List.of(), Map.of(), Map.of(),
                    SandboxNetwork.none(), 1, 64L << 20, 10, Duration.ofSeconds(5), 10, Instant.now()))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image");
        }
        assertThatThrownBy(() -> args.imageInspect("-x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void injectionThroughEnvironmentNamesIsRefused() {
        for (String bad : List.of("A=B", "-e", "X Y", "1A", "A\nB", "")) {
            assertThatThrownBy(() -> spec(List.of(), Map.of(bad, "v"), Map.of()))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("environment name");
        }
        assertThatThrownBy(() -> spec(List.of(), Map.of("A", "1"), Map.of("A", "2"))).hasMessageContaining("set twice");
    }

    @Test
    void rootAndBadRunIdsAreRefused() {
        assertThatThrownBy(() -> new SandboxSpec("run-1", "p", "busybox", List.of("true"), 0, 0, List.of(), Map.of(), Map.of(),
                SandboxNetwork.none(), 1, 64L << 20, 10, Duration.ofSeconds(5), 10, Instant.now())).hasMessageContaining("non-root");
        assertThatThrownBy(() -> new SandboxSpec("--rm", "p", "busybox", List.of("true"), 1, 1, List.of(), Map.of(), Map.of(),
                SandboxNetwork.none(), 1, 64L << 20, 10, Duration.ofSeconds(5), 10, Instant.now())).hasMessageContaining("run id");
    }

    @Test
    void hostNetworksAreRefused() {
        for (String n : List.of("host", "bridge", "default", "container:abc", "-x")) {
            assertThatThrownBy(() -> SandboxNetwork.attached(n, Map.of())).as(n).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(SandboxNetwork.attached("agentgate-egress-1", Map.of()).isNone()).isFalse();
    }

    static SandboxNetwork proxied() {
        return SandboxNetwork.proxied(Map.of("HTTP_PROXY", "http://127.0.0.1:3128"),
                List.of(new Mount(Path.of("/tmp/agentgate-egress-r1/sock"), "/.agentgate/egress", true),
                        new Mount(Path.of("/tmp/agentgate-egress-r1/relay/agentgate-egress-relay"), "/.agentgate/egress-relay", true)),
                "/.agentgate/egress-relay", List.of("--listen", "3128", "--socket", "/.agentgate/egress/proxy.sock", "--"));
    }

    @Test
    void aProxiedNetworkKeepsNetworkNoneAndWrapsTheAgentInTheRelay() {
        SandboxSpec s = spec().withNetwork(proxied());
        List<String> a = args.create(s, IMAGE_ID);
        assertThat(a.get(a.indexOf("--network") + 1)).isEqualTo("none");
        assertThat(String.join(" ", a)).contains(
                "--mount type=bind,source=/tmp/agentgate-egress-r1/sock,target=/.agentgate/egress,readonly,bind-propagation=rprivate",
                "--mount type=bind,source=/tmp/agentgate-egress-r1/relay/agentgate-egress-relay,target=/.agentgate/egress-relay,readonly",
                "--entrypoint /.agentgate/egress-relay");
        // the image, then the relay's arguments, then the agent's own command, unchanged
        assertThat(a.subList(a.indexOf(IMAGE_ID), a.size())).containsExactly(IMAGE_ID, "--listen", "3128", "--socket",
                "/.agentgate/egress/proxy.sock", "--", "sh", "-c", "echo $X");
        assertThat(a.indexOf("--entrypoint")).isLessThan(a.indexOf(IMAGE_ID));
        // proxy variables travel like any other: name on argv, value in the client's environment
        assertThat(a.get(a.indexOf("HTTP_PROXY") - 1)).isEqualTo("-e");
        assertThat(String.join(" ", a)).doesNotContain("http://127.0.0.1:3128");
        assertThat(s.clientEnvironment()).containsEntry("HTTP_PROXY", "http://127.0.0.1:3128");
        assertThat(s.network().isNone()).isFalse();
        assertThat(s.network().isProxied()).isTrue();
        // without a network, the agent's command follows the image directly and there is no entrypoint
        List<String> plain = args.create(spec(), IMAGE_ID);
        assertThat(plain).doesNotContain("--entrypoint");
        assertThat(plain.subList(plain.indexOf(IMAGE_ID), plain.size())).containsExactly(IMAGE_ID, "sh", "-c", "echo $X");
    }

    @Test
    void networkMountsEntrypointAndPrefixAreValidated() {
        Mount relay = new Mount(Path.of("/tmp/e/relay"), "/.agentgate/egress-relay", true);
        assertThatThrownBy(() -> SandboxNetwork.proxied(Map.of(), List.of(new Mount(Path.of("/tmp/e/relay"), "/.agentgate/r", false)),
                "/.agentgate/r", List.of())).hasMessageContaining("read-write; expected read-only");
        assertThatThrownBy(() -> SandboxNetwork.proxied(Map.of(), List.of(new Mount(Path.of("/tmp/e/relay"), "/workspace/relay", true)),
                "/workspace/relay", List.of())).hasMessageContaining("is not under /.agentgate/");
        assertThatThrownBy(() -> SandboxNetwork.proxied(Map.of(), List.of(new Mount(Path.of("/tmp/e"), "/.agentgate/../run", true)),
                "/.agentgate/../run", List.of())).hasMessageContaining("is not under /.agentgate/");
        assertThatThrownBy(() -> SandboxNetwork.proxied(Map.of(), List.of(relay), "/bin/sh", List.of()))
                .hasMessageContaining("entrypoint '/bin/sh' is not one of the network's mounts");
        assertThatThrownBy(() -> new SandboxNetwork("none", Map.of(), List.of(relay), null, List.of("--listen")))
                .hasMessageContaining("without an entrypoint");
        assertThatThrownBy(() -> SandboxNetwork.proxied(Map.of(), List.of(relay), relay.target(), List.of("a\0b")))
                .hasMessageContaining("NUL");
        assertThatThrownBy(() -> new Mount(Path.of("/tmp/e,readonly=false"), "/.agentgate/x", true)).hasMessageContaining("','");
        // a proxy variable may not shadow the run's own environment
        assertThatThrownBy(() -> spec(List.of(), Map.of("HTTP_PROXY", "x"), Map.of()).withNetwork(proxied()))
                .hasMessageContaining("HTTP_PROXY is set twice");
    }

    static ToolChannel tools() {
        return new ToolChannel(3129, "/.agentgate/tools/gateway.sock",
                List.of(new Mount(Path.of("/tmp/agentgate-tools-r1/sock"), "/.agentgate/tools", true),
                        new Mount(Path.of("/tmp/agentgate-tools-r1/mcp"), "/.agentgate/mcp", true)),
                new Mount(Path.of("/tmp/agentgate-tools-r1/relay/agentgate-egress-relay"), "/.agentgate/tools-relay", true),
                Map.of("AGENTGATE_MCP_URL", "http://127.0.0.1:3129/mcp", "AGENTGATE_MCP_CONFIG", "/.agentgate/mcp/mcp.json"));
    }

    @Test
    void aToolChannelAloneKeepsNetworkNoneAndRunsTheRelayForTheGatewayOnly() {
        SandboxSpec s = spec().withNetwork(SandboxNetwork.none().withTools(tools()));
        List<String> a = args.create(s, IMAGE_ID);
        String joined = String.join(" ", a);
        assertThat(a.get(a.indexOf("--network") + 1)).isEqualTo("none");
        assertThat(joined).contains(
                "--mount type=bind,source=/tmp/agentgate-tools-r1/sock,target=/.agentgate/tools,readonly,bind-propagation=rprivate",
                "--mount type=bind,source=/tmp/agentgate-tools-r1/mcp,target=/.agentgate/mcp,readonly,bind-propagation=rprivate",
                "--mount type=bind,source=/tmp/agentgate-tools-r1/relay/agentgate-egress-relay,target=/.agentgate/tools-relay,readonly",
                "--entrypoint /.agentgate/tools-relay");
        assertThat(a.subList(a.indexOf(IMAGE_ID), a.size())).containsExactly(IMAGE_ID, "--listen", "3129", "--socket",
                "/.agentgate/tools/gateway.sock", "--", "sh", "-c", "echo $X");
        // the gateway is no way out: no proxy variable, and the network still counts as none
        assertThat(s.clientEnvironment()).containsEntry("AGENTGATE_MCP_URL", "http://127.0.0.1:3129/mcp")
                .doesNotContainKeys("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy");
        assertThat(joined).doesNotContain("PROXY", "http://127.0.0.1:3129");
        assertThat(a.get(a.indexOf("AGENTGATE_MCP_CONFIG") - 1)).isEqualTo("-e");
        assertThat(s.network().isNone()).isTrue();
        assertThat(s.network().isProxied()).isFalse();
        assertThat(s.network().hasTools()).isTrue();
        assertThat(a).doesNotContain("--privileged", "--cap-add", "--device", "-v", "--volume");
    }

    @Test
    void aToolChannelJoinsTheEgressRelayAsASecondPairInOneProcess() {
        SandboxSpec s = spec().withNetwork(proxied().withTools(tools()));
        List<String> a = args.create(s, IMAGE_ID);
        String joined = String.join(" ", a);
        assertThat(a.stream().filter("--entrypoint"::equals)).hasSize(1);
        assertThat(a.get(a.indexOf("--entrypoint") + 1)).isEqualTo("/.agentgate/egress-relay");
        // the egress relay is the one relay process; the channel's copy is mounted (the MCP client's --stdio bridge), not run
        assertThat(joined).contains("target=/.agentgate/tools-relay,readonly").doesNotContain("--entrypoint /.agentgate/tools-relay");
        assertThat(joined).contains("target=/.agentgate/egress,readonly", "target=/.agentgate/tools,readonly",
                "target=/.agentgate/mcp,readonly");
        assertThat(a.subList(a.indexOf(IMAGE_ID), a.size())).containsExactly(IMAGE_ID,
                "--listen", "3128", "--socket", "/.agentgate/egress/proxy.sock",
                "--listen", "3129", "--socket", "/.agentgate/tools/gateway.sock", "--", "sh", "-c", "echo $X");
        assertThat(s.clientEnvironment()).containsKeys("HTTP_PROXY", "AGENTGATE_MCP_URL");
        assertThat(s.network().isProxied()).isTrue();
    }

    @Test
    void aToolChannelIsValidated() {
        Mount dir = new Mount(Path.of("/tmp/t/sock"), "/.agentgate/tools", true);
        Mount relay = new Mount(Path.of("/tmp/t/relay"), "/.agentgate/tools-relay", true);
        assertThatThrownBy(() -> new ToolChannel(3129, "/.agentgate/tools/g.sock", List.of(new Mount(Path.of("/tmp/t/sock"),
                "/.agentgate/tools", false)), relay, Map.of())).hasMessageContaining("read-write; expected read-only");
        assertThatThrownBy(() -> new ToolChannel(3129, "/workspace/g.sock", List.of(new Mount(Path.of("/tmp/t/sock"),
                "/workspace/tools", true)), relay, Map.of())).hasMessageContaining("is not under /.agentgate/");
        assertThatThrownBy(() -> new ToolChannel(3129, "/.agentgate/other/g.sock", List.of(dir), relay, Map.of()))
                .hasMessageContaining("is not inside one of the channel's mounts");
        assertThatThrownBy(() -> new ToolChannel(3129, "/.agentgate/tools/../x", List.of(dir), relay, Map.of()))
                .hasMessageContaining("is not inside one of the channel's mounts");
        assertThatThrownBy(() -> new ToolChannel(0, "/.agentgate/tools/g.sock", List.of(dir), relay, Map.of()))
                .hasMessageContaining("port 0");
        assertThatThrownBy(() -> new ToolChannel(3129, "/.agentgate/tools/g.sock", List.of(dir), relay,
                Map.of("HTTPS_PROXY", "http://127.0.0.1:3129"))).hasMessageContaining("is a proxy variable");
        assertThatThrownBy(() -> new ToolChannel(3129, "/.agentgate/tools/g.sock", List.of(dir),
                new Mount(Path.of("/tmp/t/relay"), "/usr/bin/relay", true), Map.of())).hasMessageContaining("is not under /.agentgate/");
        // the egress relay's port is taken
        ToolChannel samePort = new ToolChannel(3128, "/.agentgate/tools/g.sock", List.of(dir), relay, Map.of());
        assertThatThrownBy(() -> proxied().withTools(samePort)).hasMessageContaining("is the egress relay's port");
        // a variable set twice
        ToolChannel proxyName = new ToolChannel(3129, "/.agentgate/tools/g.sock", List.of(dir), relay, Map.of("AGENTGATE_X", "1"));
        assertThatThrownBy(() -> SandboxNetwork.proxied(Map.of("AGENTGATE_X", "2"), proxied().mounts(), proxied().entrypoint(),
                proxied().commandPrefix()).withTools(proxyName)).hasMessageContaining("AGENTGATE_X is also set by the network");
        // the same target twice
        ToolChannel clash = new ToolChannel(3129, "/.agentgate/egress/g.sock", List.of(new Mount(Path.of("/tmp/t/sock"),
                "/.agentgate/egress", true)), relay, Map.of());
        assertThatThrownBy(() -> proxied().withTools(clash)).hasMessageContaining("is also a network mount");
        // an entrypoint whose arguments cannot take another pair
        SandboxNetwork odd = SandboxNetwork.proxied(Map.of(), List.of(new Mount(Path.of("/tmp/e/relay"), "/.agentgate/egress-relay", true)),
                "/.agentgate/egress-relay", List.of("--listen", "3128"));
        assertThatThrownBy(() -> odd.withTools(tools())).hasMessageContaining("ending with '--'");
        // a channel variable may not shadow the run's own environment
        assertThatThrownBy(() -> spec(List.of(), Map.of("AGENTGATE_MCP_URL", "x"), Map.of())
                .withNetwork(SandboxNetwork.none().withTools(tools()))).hasMessageContaining("AGENTGATE_MCP_URL is set twice");
    }

    @Test
    void execPassesDataOnlyThroughStdinAndRunsAsTheSandboxUser() {
        assertThat(args.exec("abc123", 1000, 1000, List.of("sh", "-c", "cat > /run/agentgate/secrets/t")))
                .containsExactly("docker", "exec", "-i", "--user", "1000:1000", "abc123", "sh", "-c", "cat > /run/agentgate/secrets/t");
        assertThatThrownBy(() -> args.exec("--privileged", 1, 1, List.of("x"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void toStringHidesSecretValues() {
        assertThat(spec().toString()).contains("TOKEN").doesNotContain("s3cr3t-value", "plain-value");
    }
}
