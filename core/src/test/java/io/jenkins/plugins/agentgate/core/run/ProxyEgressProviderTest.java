package io.jenkins.plugins.agentgate.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.egress.SandboxEgress;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.port.Command;
import io.jenkins.plugins.agentgate.core.port.CommandResult;
import io.jenkins.plugins.agentgate.core.port.CommandRunner;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import io.jenkins.plugins.agentgate.core.sandbox.DockerSandbox;
import io.jenkins.plugins.agentgate.core.sandbox.MountValidator;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxNetwork;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxSpecs;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real per-run proxy behind a scripted docker client: what the container is created with, and that the proxy
 * is closed (directory gone) and its report reaches the outcome on every path. The real engine runs the same
 * path in the cli module's EgressRunTest.
 */
class ProxyEgressProviderTest {
    @TempDir
    Path tmp;
    final List<List<String>> calls = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<Boolean> proxyDirDuringCreate = new ArrayList<>();
    boolean failStart;
    Path egressDir;

    final CommandRunner docker = (Command c, OutputStream out, OutputStream err, Duration timeout) -> {
        calls.add(c.argv());
        String sub = c.argv().get(1).equals("container") || c.argv().get(1).equals("image") ? c.argv().get(1) + " " + c.argv().get(2)
                : c.argv().get(1);
        if (sub.equals("create")) {
            try (var s = Files.list(egressDir)) {
                proxyDirDuringCreate.add(s.findAny().isPresent());
            }
        }
        String answer = switch (sub) {
            case "version" -> "20.10.24\n";
            case "image inspect" -> "sha256:" + "b".repeat(64) + " []\n";
            case "create" -> "c".repeat(64) + "\n";
            case "start" -> "agent output\n";
            default -> "";
        };
        out.write(answer.getBytes(StandardCharsets.UTF_8));
        return new CommandResult(sub.equals("start") && failStart ? 1 : 0, false, Duration.ofMillis(1));
    };

    RunOutcome run() throws Exception {
        egressDir = Files.createDirectories(tmp.resolve("egress"));
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        ProfileCatalog catalog = CatalogParser.parse("catalog.yaml", """
                apiVersion: agentgate/v1
                classes:
                  draft: net
                profiles:
                  - id: net
                    network:
                      mode: allowlist
                      allow: ["api.allowed.test:443"]
                """);
        GovernedRun r = GovernedRun.builder(new DockerSandbox(docker)).specs(new SandboxSpecs(new MountValidator(List.of())))
                .scratch(tmp).egress(new ProxyEgressProvider(cfg -> cfg.withBaseDirectory(egressDir))).build();
        return r.execute(new RunInput(catalog, RunRequest.builder(ExecutionClass.DRAFT).image("agentgate-example/busybox:1").build(),
                "task", ws, List.of("agent", "--flag"), new ByteArrayOutputStream()));
    }

    List<String> create() {
        return calls.stream().filter(a -> a.get(1).equals("create")).findFirst().orElseThrow();
    }

    @Test
    void theContainerIsNetworkLessAndRunsTheAgentBehindTheRelay() throws Exception {
        RunOutcome o = run();
        assertThat(o.status()).as(o.message()).isEqualTo(RunStatus.SUCCEEDED);
        List<String> a = create();
        assertThat(a.get(a.indexOf("--network") + 1)).isEqualTo("none");
        assertThat(a.get(a.indexOf("--entrypoint") + 1)).isEqualTo(SandboxEgress.CONTAINER_RELAY);
        assertThat(String.join(" ", a)).contains("target=" + SandboxEgress.CONTAINER_DIR + ",readonly",
                "target=" + SandboxEgress.CONTAINER_RELAY + ",readonly");
        assertThat(a.subList(a.size() - 3, a.size())).containsExactly("--", "agent", "--flag");
        assertThat(a).contains("HTTP_PROXY", "https_proxy", "NO_PROXY").doesNotContain("http://127.0.0.1:3128");
        assertThat(proxyDirDuringCreate).containsExactly(true);
        // closed after the container: directory gone, report complete
        assertThat(Files.list(egressDir).toList()).isEmpty();
        assertThat(o.egress()).isNotNull();
        assertThat(o.egress().summary().attempts()).isZero();
        assertThat(o.egress().relaySha256()).matches("[0-9a-f]{64}");
        assertThat(o.egress().describe()).isEqualTo("0 allowed, 0 denied (unauthorized)");
    }

    @Test
    void theProxyIsClosedWhenTheSandboxFails() throws Exception {
        failStart = true;
        RunOutcome o = run();
        assertThat(o.status()).isEqualTo(RunStatus.RUNTIME_ERROR);
        assertThat(proxyDirDuringCreate).containsExactly(true);
        assertThat(Files.list(egressDir).toList()).isEmpty();
        assertThat(o.egress()).isNotNull();
    }

    @Test
    void theSandboxEgressMapsOneToOneOntoTheSandboxNetwork() {
        SandboxEgress e = new SandboxEgress(List.of(new SandboxEgress.Mount(Path.of("/tmp/e/sock"), SandboxEgress.CONTAINER_DIR),
                new SandboxEgress.Mount(Path.of("/tmp/e/relay"), SandboxEgress.CONTAINER_RELAY)), SandboxEgress.CONTAINER_RELAY,
                List.of("--listen", "3128", "--"), Map.of("HTTP_PROXY", "http://127.0.0.1:3128"), "a".repeat(64));
        SandboxNetwork n = ProxyEgressProvider.network(e);
        assertThat(n.isProxied()).isTrue();
        assertThat(n.dockerNetwork()).isEqualTo("none");
        assertThat(n.entrypoint()).isEqualTo(e.entrypoint());
        assertThat(n.environment()).isEqualTo(e.environment());
        assertThat(n.command(List.of("agent"))).isEqualTo(e.command(List.of("agent")));
        assertThat(n.mounts()).allMatch(m -> m.readOnly()).extracting(m -> m.source().toString() + "->" + m.target())
                .containsExactly("/tmp/e/sock->" + SandboxEgress.CONTAINER_DIR, "/tmp/e/relay->" + SandboxEgress.CONTAINER_RELAY);
    }
}
