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
        // A dead proxy's leftovers: a socket file nobody listens on, a lock file nobody holds, an old directory.
        Path dead = Files.createDirectories(base.resolve("agentgate-egress-dead/sock"));
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(dead.resolve("proxy.sock")));
        }
        Files.createFile(dead.getParent().resolve("owner.lock"));
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
            assertThat(live.records()).as("the reaper does not probe a live proxy").isEmpty();
        }
    }

    @Test
    void aDirectoryLockedByAnotherLiveProcessIsLeftAlone() throws Exception {
        Path other = Files.createDirectories(base.resolve("agentgate-egress-other"));
        Path lock = Files.createFile(other.resolve("owner.lock"));
        Files.setLastModifiedTime(other, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        // Another process holds the lock, as a live proxy in another JVM does.
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                Path.of("src/test/java/io/jenkins/plugins/agentgate/core/egress/LockHolder.java").toString(), lock.toString())
                .redirectErrorStream(true).start();
        try {
            assertThat(new String(holder.getInputStream().readNBytes(6))).isEqualTo("locked");
            assertThat(EgressProxy.reapStale(base, Duration.ofHours(1))).isZero();
            assertThat(other).exists();
        } finally {
            holder.destroy();
            holder.waitFor();
        }
        assertThat(EgressProxy.reapStale(base, Duration.ofHours(1))).as("its owner died: now stale").isEqualTo(1);
        assertThat(other).doesNotExist();
    }

    @Test
    void theSystemResolverResolvesLocalhostWithoutTheNetwork() throws Exception {
        // Contract of the production resolver on a name every host file carries (no DNS query leaves the host).
        assertThat(EgressResolver.system().resolve("localhost")).isNotEmpty().allMatch(InetAddress::isLoopbackAddress);
    }
}
