package io.jenkins.plugins.agentgate.core.egress;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.profile.NetworkPolicy;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EgressReaperTest {
    @TempDir
    Path base;

    @Test
    void removesDirectoriesOfDeadProxiesOnlyAndLeavesLiveOnesAlone() throws Exception {
        // A dead proxy's leftovers: a bound-then-closed socket file (nobody listens), an old directory.
        Path dead = Files.createDirectories(base.resolve("agentgate-egress-dead/sock"));
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(dead.resolve("proxy.sock")));
        }
        Files.setLastModifiedTime(dead.getParent(), FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        Path young = Files.createDirectories(base.resolve("agentgate-egress-young/sock"));
        Path unrelated = Files.createDirectories(base.resolve("something-else"));
        Files.setLastModifiedTime(unrelated, FileTime.from(Instant.now().minus(Duration.ofHours(2))));

        EgressConfig config = EgressConfig.of("live", NetworkPolicy.closed(), EgressLimits.forRun(Duration.ofMinutes(1)))
                .withBaseDirectory(base);
        try (EgressProxy live = EgressProxy.start(config)) {
            Files.setLastModifiedTime(live.runDirectory(), FileTime.from(Instant.now().minus(Duration.ofHours(2))));

            assertThat(EgressProxy.reapStale(base, Duration.ofHours(1))).isEqualTo(1);

            assertThat(dead.getParent()).doesNotExist();
            assertThat(young.getParent()).exists();
            assertThat(unrelated).exists();
            assertThat(live.socketPath()).exists();
        }
    }

    @Test
    void theSystemResolverResolvesLocalhostWithoutTheNetwork() throws Exception {
        // Contract of the production resolver on a name every host file carries (no DNS query leaves the host).
        assertThat(EgressResolver.system().resolve("localhost")).isNotEmpty().allMatch(InetAddress::isLoopbackAddress);
    }
}
