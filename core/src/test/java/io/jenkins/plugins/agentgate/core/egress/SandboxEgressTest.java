package io.jenkins.plugins.agentgate.core.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.agentgate.core.profile.NetworkMode;
import io.jenkins.plugins.agentgate.core.profile.NetworkPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxEgressTest {
    @TempDir
    Path tmp;

    @Test
    void wiresReadOnlyMountsTheRelayEntrypointAndProxyVariables() throws Exception {
        NetworkPolicy network = new NetworkPolicy(NetworkMode.ALLOWLIST, List.of("api.example.com"), List.of());
        EgressConfig config = EgressConfig.of("run-1", network, EgressLimits.forRun(Duration.ofMinutes(1)))
                .withBaseDirectory(tmp);
        try (EgressProxy proxy = EgressProxy.start(config)) {
            SandboxEgress s = proxy.sandbox();
            Path sockDir = proxy.socketPath().getParent();
            Path relay = proxy.runDirectory().resolve("relay/agentgate-egress-relay");
            assertThat(s.dockerOptions()).containsExactly(
                    "--mount", "type=bind,source=" + sockDir + ",target=/.agentgate/egress,readonly",
                    "--mount", "type=bind,source=" + relay + ",target=/.agentgate/egress-relay,readonly",
                    "--entrypoint", "/.agentgate/egress-relay");
            assertThat(s.command(List.of("codex", "exec", "-"))).containsExactly("--listen", "3128", "--socket",
                    "/.agentgate/egress/proxy.sock", "--pass-fd", "--", "codex", "exec", "-");
            assertThat(s.environment()).containsEntry("HTTPS_PROXY", "http://127.0.0.1:3128")
                    .containsEntry("http_proxy", "http://127.0.0.1:3128").containsEntry("NO_PROXY", "localhost,127.0.0.1,::1")
                    .containsEntry("no_proxy", "localhost,127.0.0.1,::1");
            assertThat(Files.isExecutable(relay)).isTrue();
            assertThat(s.relaySha256()).isEqualTo(RelayBinary.bundled().sha256()).hasSize(64);
            assertThat(Files.list(sockDir).toList()).as("the socket directory holds the socket only")
                    .containsExactly(proxy.socketPath());
            assertThatThrownBy(() -> s.command(List.of())).hasMessageContaining("agent command is empty");
        }
    }

    @Test
    void mountSourcesThatWouldInjectMountOptionsAreRefused() {
        assertThatThrownBy(() -> new SandboxEgress.Mount(Path.of("/tmp/a,target=/etc"), "/x"))
                .hasMessageContaining("without commas");
        assertThatThrownBy(() -> new SandboxEgress.Mount(Path.of("relative"), "/x")).hasMessageContaining("absolute");
    }

    @Test
    void limitsAndConfigNameTheBadField() {
        assertThatThrownBy(() -> EgressLimits.forRun(Duration.ofMinutes(1)).withMaxConnections(0))
                .hasMessage("egress limit maxConnections is 0; expected 1..1024");
        assertThatThrownBy(() -> EgressLimits.forRun(Duration.ofMinutes(1)).withIdleTimeout(Duration.ZERO))
                .hasMessageContaining("idleTimeout").hasMessageContaining("positive");
        assertThatThrownBy(() -> EgressConfig.of("a b", NetworkPolicy.closed(), EgressLimits.forRun(Duration.ofMinutes(1))))
                .hasMessageContaining("run id 'a b'");
    }

    @Test
    void aTooLongSocketPathIsRefusedWithTheReason() throws Exception {
        Path deep = Files.createDirectories(tmp.resolve("d".repeat(100)));
        EgressConfig config = EgressConfig.of("run-1", NetworkPolicy.closed(), EgressLimits.forRun(Duration.ofMinutes(1)))
                .withBaseDirectory(deep);
        assertThatThrownBy(() -> EgressProxy.start(config)).hasMessageContaining("longer than 107 bytes");
        assertThat(Files.list(deep).toList()).as("nothing left behind").isEmpty();
    }
}
