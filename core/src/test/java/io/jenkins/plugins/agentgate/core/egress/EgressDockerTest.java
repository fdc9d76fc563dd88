package io.jenkins.plugins.agentgate.core.egress;

import static io.jenkins.plugins.agentgate.core.egress.DockerCli.docker;
import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.profile.NetworkMode;
import io.jenkins.plugins.agentgate.core.profile.NetworkPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path on a real engine: an agent in a {@code --network none} container, the relay inside it, the
 * proxy's socket bind-mounted, the proxy on the host, and a real HTTP server on the host's loopback that the
 * test maps to the allowlisted name {@code api.allowed.test}. Traffic goes only to loopback, to the test's own
 * containers, and to a bridge network the test creates (and removes).
 */
@Tag("docker")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EgressDockerTest {
    static final String ALLOWED = "api.allowed.test";
    static final Duration RUN = Duration.ofSeconds(60);

    Path tmp;

    String image;
    TestUpstream upstream;       // the allowlisted destination, host loopback
    TestUpstream otherService;   // another host service, bound to the test network's gateway address
    String network;
    String gateway;
    final List<String> containers = new ArrayList<>();
    final List<EgressProxy> proxies = new ArrayList<>();

    @BeforeAll
    void engineImageAndServers(@TempDir Path dir) throws Exception {
        tmp = dir;
        DockerCli.requireEngine();
        image = DockerCli.busyboxImage(tmp.resolve("image"));
        upstream = TestUpstream.onLoopback();
        network = "agentgate-egress-test-" + UUID.randomUUID().toString().substring(0, 8);
        DockerCli.Result n = docker(RUN, "network", "create", "--internal", "--label", "agentgate.test=egress", network);
        assertThat(n.exit()).as(n.err()).isZero();
        gateway = docker(RUN, "network", "inspect", network, "--format", "{{(index .IPAM.Config 0).Gateway}}").out().strip();
        assertThat(gateway).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
        otherService = new TestUpstream(InetAddress.getByName(gateway));
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (otherService != null) {
            otherService.close();
        }
        if (upstream != null) {
            upstream.close();
        }
        if (network != null) {
            docker(RUN, "network", "rm", network);
        }
    }

    @org.junit.jupiter.api.BeforeEach
    void forgetEarlierHits() {
        upstream.hits.clear();
        otherService.hits.clear();
    }

    @AfterEach
    void stopContainersAndProxies() throws Exception {
        for (String c : containers) {
            docker(RUN, "rm", "-f", c);
        }
        containers.clear();
        proxies.forEach(EgressProxy::close);
        proxies.clear();
    }

    EgressProxy proxy(EgressLimits limits) throws IOException {
        EgressResolver resolver = host -> {
            if (host.equals(ALLOWED)) {
                return List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
            }
            throw new UnknownHostException(host);
        };
        NetworkPolicy policy = new NetworkPolicy(NetworkMode.ALLOWLIST, List.of(ALLOWED + ":" + upstream.port()), List.of());
        EgressConfig config = new EgressConfig("docker-" + proxies.size(), policy, limits, resolver, true, tmp,
                EgressConfig.DEFAULT_RELAY_PORT, RelayBinary.bundled(), null);
        EgressProxy p = EgressProxy.start(config);
        proxies.add(p);
        return p;
    }

    EgressProxy proxy() throws IOException {
        return proxy(EgressLimits.forRun(RUN));
    }

    /** The hardened sandbox options the sandbox runner uses, plus the egress wiring, as a list of docker args. */
    List<String> sandboxArgs(EgressProxy p, String name, boolean detach, List<String> command) {
        List<String> args = new ArrayList<>(List.of("run", detach ? "-d" : "--rm", "--name", name,
                "--label", "agentgate.test=egress", "--network", "none", "--read-only", "--tmpfs", "/tmp",
                "--cap-drop", "ALL", "--security-opt", "no-new-privileges", "--user", "1000:1000", "--init",
                "--pids-limit", "64", "--memory", "64m"));
        SandboxEgress egress = p.sandbox();
        args.addAll(egress.dockerOptions());
        for (Map.Entry<String, String> e : egress.environment().entrySet()) {
            args.add("-e");
            args.add(e.getKey() + "=" + e.getValue());
        }
        args.add(image);
        args.addAll(egress.command(command));
        return args;
    }

    DockerCli.Result sandbox(EgressProxy p, String script) throws Exception {
        String name = "agentgate-egress-test-" + UUID.randomUUID().toString().substring(0, 12);
        containers.add(name);
        return docker(RUN, sandboxArgs(p, name, false, List.of("sh", "-c", script)));
    }

    static List<EgressRecord> awaitRecords(EgressProxy proxy, int n) throws InterruptedException {
        return EgressProxyTest.awaitRecords(proxy, n);
    }

    @Test
    void anAllowedRequestReachesTheServerThroughRelayAndProxy() throws Exception {
        EgressProxy p = proxy();
        DockerCli.Result r = sandbox(p, "wget -q -O - http://" + ALLOWED + ":" + upstream.port() + "/hello");

        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).isEqualTo(TestUpstream.HELLO);
        EgressRecord rec = awaitRecords(p, 1).get(0);
        assertThat(rec.verdict()).isEqualTo(EgressVerdict.ALLOWED);
        assertThat(rec.host()).isEqualTo(ALLOWED);
        assertThat(rec.bytesDown()).isPositive();
        assertThat(rec.end()).isEqualTo(EndReason.COMPLETED);
    }

    @Test
    void anHttpsStyleConnectTunnelWorksThroughTheRelay() throws Exception {
        EgressProxy p = proxy();
        DockerCli.Result r = sandbox(p, "printf 'CONNECT " + ALLOWED + ":" + upstream.port()
                + " HTTP/1.1\\r\\n\\r\\nGET /hello HTTP/1.0\\r\\nHost: " + ALLOWED + "\\r\\n\\r\\n' | nc 127.0.0.1 "
                + EgressConfig.DEFAULT_RELAY_PORT);

        assertThat(r.out()).as(r.all()).contains("HTTP/1.1 200 Connection established").endsWith(TestUpstream.HELLO);
        assertThat(awaitRecords(p, 1).get(0).method()).isEqualTo("CONNECT");
    }

    @Test
    void deniedNamePortAndIpLiteralFailAndAreRecordedAsUnauthorized() throws Exception {
        EgressProxy p = proxy();
        int port = upstream.port();
        DockerCli.Result r = sandbox(p, String.join("; ",
                "wget -q -O - http://evil.test:" + port + "/hello; echo name=$?",
                "wget -q -O - http://" + ALLOWED + ":" + otherService.port() + "/hello; echo port=$?",
                // 127.0.0.1 is in no_proxy (it is the sandbox's own loopback); force it through the proxy.
                "no_proxy= NO_PROXY= wget -q -O - http://127.0.0.1:" + port + "/hello; echo literal=$?",
                "wget -q -O - http://" + gateway + ":" + otherService.port() + "/hello; echo bridge=$?"));

        assertThat(r.out()).as(r.all()).contains("name=1", "port=1", "literal=1", "bridge=1")
                .doesNotContain(TestUpstream.HELLO);
        List<EgressRecord> records = awaitRecords(p, 4);
        assertThat(records).hasSize(4).allSatisfy(rec -> {
            assertThat(rec.verdict()).isEqualTo(EgressVerdict.DENIED);
            assertThat(rec.rule()).isEqualTo("network.not-allowlisted");
            assertThat(rec.unauthorized()).isTrue();
        });
        assertThat(records).extracting(rec -> rec.host() + ":" + rec.port()).containsExactlyInAnyOrder(
                "evil.test:" + port, ALLOWED + ":" + otherService.port(), "127.0.0.1:" + port,
                gateway + ":" + otherService.port());
        assertThat(p.summary().unauthorized()).isEqualTo(4);
        assertThat(upstream.hits).isEmpty();
        assertThat(otherService.hits).isEmpty();
    }

    @Test
    void connectionsThatSkipTheProxyAndDnsLookupsFail() throws Exception {
        EgressProxy p = proxy();
        DockerCli.Result r = sandbox(p, String.join("; ",
                // the host's loopback service: the sandbox's 127.0.0.1 is its own
                "wget -Y off -q -O - http://127.0.0.1:" + upstream.port() + "/hello; echo loopback=$?",
                // a host service answering on a bridge gateway address
                "wget -Y off -q -O - http://" + gateway + ":" + otherService.port() + "/hello; echo bridge=$?",
                "echo x | nc -w 3 " + gateway + " " + otherService.port() + "; echo nc=$?",
                // no resolver: the name of the allowed destination does not resolve inside
                "nslookup " + ALLOWED + " >/dev/null 2>&1; echo dns=$?",
                "wget -Y off -q -O - http://" + ALLOWED + ":" + upstream.port() + "/hello; echo name=$?"));

        assertThat(r.out()).as(r.all()).contains("loopback=1", "bridge=1", "nc=1", "dns=1", "name=1")
                .doesNotContain(TestUpstream.HELLO);
        assertThat(upstream.hits).isEmpty();
        assertThat(otherService.hits).isEmpty();
        assertThat(p.records()).as("nothing went through the proxy").isEmpty();
    }

    @Test
    void controlTheOtherHostServiceAnswersOnTheBridgeToAContainerWithANetwork() throws Exception {
        // Shows the previous test's refusals are the sandbox's doing, not a dead service.
        String name = "agentgate-egress-test-" + UUID.randomUUID().toString().substring(0, 12);
        containers.add(name);
        DockerCli.Result r = docker(RUN, "run", "--rm", "--name", name, "--label", "agentgate.test=egress",
                "--network", network, "--user", "1000:1000", image,
                "wget", "-Y", "off", "-q", "-O", "-", "http://" + gateway + ":" + otherService.port() + "/hello");
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.out()).isEqualTo(TestUpstream.HELLO);
        assertThat(otherService.hits).hasSize(1);
    }

    @Test
    void theProxyIsGoneAfterTheRunAndTheSandboxThenHasNoWayOut() throws Exception {
        EgressProxy p = proxy();
        String name = "agentgate-egress-test-" + UUID.randomUUID().toString().substring(0, 12);
        containers.add(name);
        DockerCli.Result start = docker(RUN, sandboxArgs(p, name, true, List.of("sleep", "60")));
        assertThat(start.exit()).as(start.all()).isZero();
        String url = "http://" + ALLOWED + ":" + upstream.port() + "/hello";
        DockerCli.Result before = docker(RUN, "exec", name, "wget", "-q", "-O", "-", url);
        assertThat(before.out()).as(before.all()).isEqualTo(TestUpstream.HELLO);

        Path socket = p.socketPath();
        p.close();

        assertThat(socket).doesNotExist();
        assertThat(p.runDirectory()).doesNotExist();
        assertThat(EgressProxyTest.threads("agentgate-egress-docker-0-")).isEmpty();
        DockerCli.Result after = docker(RUN, "exec", name, "wget", "-q", "-O", "-", url);
        assertThat(after.exit()).as(after.all()).isNotZero();
        assertThat(upstream.hits).hasSize(1);
    }

    @Test
    void anIdleClientIsCutAtTheIdleTimeout() throws Exception {
        EgressProxy p = proxy(EgressLimits.forRun(RUN).withIdleTimeout(Duration.ofSeconds(1)));
        long t0 = System.nanoTime();
        DockerCli.Result r = sandbox(p, "(printf 'CONNECT " + ALLOWED + ":" + upstream.port()
                + " HTTP/1.1\\r\\n\\r\\n'; sleep 20) | nc 127.0.0.1 " + EgressConfig.DEFAULT_RELAY_PORT + "; echo done");
        long seconds = (System.nanoTime() - t0) / 1_000_000_000L;

        assertThat(r.out()).as(r.all()).contains("200 Connection established");
        EgressRecord rec = awaitRecords(p, 1).get(0);
        assertThat(rec.end()).isEqualTo(EndReason.IDLE_TIMEOUT);
        assertThat(rec.durationMillis()).isBetween(900L, 5_000L);
        assertThat(seconds).as("the run did not wait for the client's 20 s").isLessThan(30);
    }

    @Test
    void aRunExceedingTheByteLimitIsCutAndRecorded() throws Exception {
        EgressProxy p = proxy(EgressLimits.forRun(RUN).withMaxBytes(256 * 1024));
        DockerCli.Result r = sandbox(p, "wget -q -O /dev/null http://" + ALLOWED + ":" + upstream.port()
                + "/bytes?n=4194304; echo rc=$?; wget -q -O - http://" + ALLOWED + ":" + upstream.port()
                + "/hello; echo again=$?");

        assertThat(r.out()).as(r.all()).contains("rc=1", "again=1").doesNotContain(TestUpstream.HELLO);
        List<EgressRecord> records = awaitRecords(p, 2);
        assertThat(records.get(0).end()).isEqualTo(EndReason.BYTE_LIMIT);
        assertThat(records.get(0).rule()).isEqualTo("egress.limit.bytes");
        assertThat(records.get(0).bytesUp() + records.get(0).bytesDown()).isLessThanOrEqualTo(256 * 1024);
        assertThat(records.get(1).verdict()).isEqualTo(EgressVerdict.DENIED);
        assertThat(records.get(1).rule()).isEqualTo("egress.limit.bytes");
        assertThat(p.summary().byteLimitReached()).isTrue();
    }

    @Test
    void theAgentKeepsItsExitStatusAndTheRelayIsNotItsChild() throws Exception {
        EgressProxy p = proxy();
        // The relay detaches to the container's init (pid 1): an agent that waits for all its children must not
        // wait for the relay; and the agent's exit status is the container's.
        DockerCli.Result r = sandbox(p, "for f in /proc/[0-9]*/stat; do read -r line < $f;"
                + " case \"$line\" in *egress-relay*) echo \"relay $line\";; esac; done; echo \"agent $$\"; exit 7");
        assertThat(r.exit()).as(r.all()).isEqualTo(7);
        String relay = r.out().lines().filter(l -> l.startsWith("relay ")).findFirst().orElseThrow();
        String[] fields = relay.substring("relay ".length()).split(" ");
        assertThat(fields[3]).as("relay's parent pid in " + relay).isEqualTo("1");
    }
}
