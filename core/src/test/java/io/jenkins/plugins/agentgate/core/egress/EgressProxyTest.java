package io.jenkins.plugins.agentgate.core.egress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.agentgate.core.profile.NetworkMode;
import io.jenkins.plugins.agentgate.core.profile.NetworkPolicy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proxy on its real Unix socket, against a real loopback HTTP server; names resolve through a fixed map. */
class EgressProxyTest {
    @TempDir
    Path tmp;

    TestUpstream upstream;
    final List<EgressProxy> proxies = new ArrayList<>();
    final List<EgressRecord> heard = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startUpstream() throws IOException {
        upstream = TestUpstream.onLoopback();
    }

    @AfterEach
    void stopAll() {
        proxies.forEach(EgressProxy::close);
        upstream.close();
    }

    static EgressResolver testResolver() {
        return host -> {
            if (host.equals("api.allowed.test") || host.endsWith(".wild.test")) {
                return List.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
            }
            throw new UnknownHostException(host);
        };
    }

    NetworkPolicy policy() {
        int p = upstream.port();
        return new NetworkPolicy(NetworkMode.ALLOWLIST,
                List.of("api.allowed.test:" + p, "*.wild.test:" + p, "nowhere.allowed.test:" + p, "unreachable.wild.test:1"),
                List.of("blocked.wild.test:*"));
    }

    EgressProxy start(EgressLimits limits) throws IOException {
        return start(limits, true);
    }

    EgressProxy start(EgressLimits limits, boolean allowPrivate) throws IOException {
        EgressConfig config = new EgressConfig("test-" + proxies.size(), policy(), limits, testResolver(), allowPrivate,
                tmp, EgressConfig.DEFAULT_RELAY_PORT, RelayBinary.bundled(), heard::add);
        EgressProxy proxy = EgressProxy.start(config);
        proxies.add(proxy);
        return proxy;
    }

    static EgressLimits limits() {
        return EgressLimits.forRun(Duration.ofMinutes(5));
    }

    static List<EgressRecord> awaitRecords(EgressProxy proxy, int n) throws InterruptedException {
        for (int i = 0; i < 500 && proxy.records().size() < n; i++) {
            Thread.sleep(10);
        }
        return proxy.records();
    }

    String get(EgressProxy proxy, String target) throws IOException {
        try (ProxyClient c = new ProxyClient(proxy.socketPath())) {
            return c.send("GET " + target + " HTTP/1.1\r\nHost: ignored\r\nProxy-Connection: keep-alive\r\n"
                    + "Proxy-Authorization: Basic Zm9vOmJhcg==\r\nUser-Agent: test\r\n\r\n").readAllText();
        }
    }

    @Test
    void forwardsAnAllowedAbsoluteUriRequestInOriginForm() throws Exception {
        EgressProxy proxy = start(limits());
        String response = get(proxy, "http://api.allowed.test:" + upstream.port() + "/hello?x=1");

        assertThat(response).startsWith("HTTP/1.1 200").endsWith(TestUpstream.HELLO);
        assertThat(upstream.hits).singleElement().satisfies(h -> {
            assertThat(h.uri()).isEqualTo("/hello?x=1");
            assertThat(h.host()).isEqualTo("api.allowed.test:" + upstream.port());
            assertThat(h.connection()).isEqualTo("close");
            assertThat(h.proxyHeaders()).as("proxy headers stay at the proxy").isFalse();
        });
        EgressRecord r = awaitRecords(proxy, 1).get(0);
        assertThat(r.verdict()).isEqualTo(EgressVerdict.ALLOWED);
        assertThat(r.rule()).isEqualTo("network.allowlist");
        assertThat(r.pattern()).isEqualTo("api.allowed.test:" + upstream.port());
        assertThat(r.method()).isEqualTo("GET");
        assertThat(r.host()).isEqualTo("api.allowed.test");
        assertThat(r.port()).isEqualTo(upstream.port());
        assertThat(r.address()).isEqualTo("127.0.0.1");
        assertThat(r.end()).isEqualTo(EndReason.COMPLETED);
        assertThat(r.bytesUp()).isPositive();
        assertThat(r.bytesDown()).isEqualTo(response.length());
        assertThat(r.unauthorized()).isFalse();
        assertThat(heard).containsExactly(r);
    }

    @Test
    void tunnelsAnAllowedConnectAndForwardsARequestBody() throws Exception {
        EgressProxy proxy = start(limits());
        String response;
        try (ProxyClient c = new ProxyClient(proxy.socketPath())) {
            c.send("CONNECT api.allowed.test:" + upstream.port() + " HTTP/1.1\r\nHost: api.allowed.test\r\n\r\n");
            assertThat(c.readHead()).startsWith("HTTP/1.1 200");
            c.send("POST /echo HTTP/1.1\r\nHost: api.allowed.test\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
            response = c.readAllText();
        }
        assertThat(response).startsWith("HTTP/1.1 200").endsWith("hello");
        EgressRecord r = awaitRecords(proxy, 1).get(0);
        assertThat(r.method()).isEqualTo("CONNECT");
        assertThat(r.verdict()).isEqualTo(EgressVerdict.ALLOWED);
        assertThat(r.end()).isEqualTo(EndReason.COMPLETED);
        assertThat(upstream.hits).singleElement().satisfies(h -> assertThat(h.body()).isEqualTo("hello"));
    }

    @Test
    void deniesNamesPortsLiteralsAndDenylistedHostsAndRecordsEachAsUnauthorized() throws Exception {
        EgressProxy proxy = start(limits());
        int p = upstream.port();
        assertThat(get(proxy, "http://evil.test:" + p + "/")).startsWith("HTTP/1.1 403").contains("network.not-allowlisted");
        assertThat(get(proxy, "http://api.allowed.test:" + (p == 65535 ? 1 : p + 1) + "/")).startsWith("HTTP/1.1 403");
        assertThat(get(proxy, "http://127.0.0.1:" + p + "/")).startsWith("HTTP/1.1 403");
        assertThat(get(proxy, "http://wild.test:" + p + "/")).as("a wildcard does not match its apex").startsWith("HTTP/1.1 403");
        assertThat(get(proxy, "http://localhost:" + p + "/")).as("single-label names only literally").startsWith("HTTP/1.1 403");
        assertThat(get(proxy, "http://blocked.wild.test:" + p + "/")).startsWith("HTTP/1.1 403").contains("network.denylist");
        assertThat(get(proxy, "http://sub.wild.test:" + p + "/hello")).as("wildcard subdomain allowed").startsWith("HTTP/1.1 200");

        List<EgressRecord> records = awaitRecords(proxy, 7);
        assertThat(records).hasSize(7);
        assertThat(records).filteredOn(EgressRecord::unauthorized).extracting(EgressRecord::rule).containsExactlyInAnyOrder(
                "network.not-allowlisted", "network.not-allowlisted", "network.not-allowlisted", "network.not-allowlisted",
                "network.not-allowlisted", "network.denylist");
        assertThat(records).filteredOn(EgressRecord::unauthorized)
                .allSatisfy(r -> {
                    assertThat(r.end()).isEqualTo(EndReason.REFUSED);
                    assertThat(r.bytesUp()).isZero();
                    assertThat(r.address()).isNull();
                });
        assertThat(upstream.hits).as("only the allowed request reached the server").hasSize(1);
        EgressSummary s = proxy.summary();
        assertThat(s.attempts()).isEqualTo(7);
        assertThat(s.unauthorized()).isEqualTo(6);
        assertThat(s.allowed()).isEqualTo(1);
        assertThat(s.deniedDestinations()).contains("evil.test:" + p, "127.0.0.1:" + p, "blocked.wild.test:" + p);
    }

    @Test
    void refusesMalformedAndAmbiguousRequests() throws Exception {
        EgressProxy proxy = start(limits());
        int p = upstream.port();
        for (String target : List.of("http://2130706433:" + p + "/", "http://127.1:" + p + "/",
                "http://user@api.allowed.test:" + p + "/", "https://api.allowed.test:" + p + "/", "/relative",
                "http://api_allowed.test:" + p + "/")) {
            assertThat(get(proxy, target)).as(target).startsWith("HTTP/1.1 400");
        }
        try (ProxyClient c = new ProxyClient(proxy.socketPath())) {
            assertThat(c.send("CONNECT api.allowed.test HTTP/1.1\r\n\r\n").readAllText()).startsWith("HTTP/1.1 400");
        }
        try (ProxyClient c = new ProxyClient(proxy.socketPath())) {
            assertThat(c.send("garbage\r\n\r\n").readAllText()).startsWith("HTTP/1.1 400");
        }
        List<EgressRecord> records = awaitRecords(proxy, 8);
        assertThat(records).hasSize(8).allSatisfy(r -> {
            assertThat(r.rule()).isEqualTo("egress.request.malformed");
            assertThat(r.verdict()).isEqualTo(EgressVerdict.DENIED);
        });
        assertThat(upstream.hits).isEmpty();
    }

    @Test
    void anAllowedNameThatResolvesToAPrivateAddressIsRefusedUnlessAllowed() throws Exception {
        EgressProxy proxy = start(limits(), false);
        assertThat(get(proxy, "http://api.allowed.test:" + upstream.port() + "/hello"))
                .startsWith("HTTP/1.1 403").contains("egress.address.private");
        assertThat(awaitRecords(proxy, 1).get(0).rule()).isEqualTo("egress.address.private");
        assertThat(upstream.hits).isEmpty();
    }

    @Test
    void resolutionAndConnectionFailuresAreRecordedAsFailed() throws Exception {
        EgressProxy proxy = start(limits());
        assertThat(get(proxy, "http://nowhere.allowed.test:" + upstream.port() + "/")).startsWith("HTTP/1.1 502");
        assertThat(get(proxy, "http://unreachable.wild.test:1/")).startsWith("HTTP/1.1 502");
        assertThat(awaitRecords(proxy, 2)).extracting(EgressRecord::verdict, EgressRecord::rule).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(EgressVerdict.FAILED, "egress.resolve.failed"),
                org.assertj.core.groups.Tuple.tuple(EgressVerdict.FAILED, "egress.connect.failed"));
    }

    @Test
    void cutsAnIdleTunnelAtTheIdleTimeout() throws Exception {
        EgressProxy proxy = start(limits().withIdleTimeout(Duration.ofMillis(600)));
        long t0 = System.nanoTime();
        try (ProxyClient c = new ProxyClient(proxy.socketPath())) {
            c.send("CONNECT api.allowed.test:" + upstream.port() + " HTTP/1.1\r\n\r\n");
            assertThat(c.readHead()).startsWith("HTTP/1.1 200");
            assertThat(c.readAll(1024)).as("nothing arrives; the proxy closes").isEmpty();
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms).isBetween(500L, 5_000L);
        EgressRecord r = awaitRecords(proxy, 1).get(0);
        assertThat(r.end()).isEqualTo(EndReason.IDLE_TIMEOUT);
        assertThat(r.verdict()).isEqualTo(EgressVerdict.ALLOWED);
    }

    @Test
    void cutsAClientThatNeverSendsARequest() throws Exception {
        EgressProxy proxy = start(limits().withIdleTimeout(Duration.ofMillis(400)));
        try (ProxyClient c = new ProxyClient(proxy.socketPath())) {
            assertThat(c.readAll(1024)).isEmpty();
        }
        EgressRecord r = awaitRecords(proxy, 1).get(0);
        assertThat(r.end()).isEqualTo(EndReason.IDLE_TIMEOUT);
        assertThat(r.rule()).isEqualTo("egress.limit.idle");
    }

    @Test
    void cutsTheConnectionThatCrossesTheByteBudgetAndRefusesLaterOnes() throws Exception {
        EgressProxy proxy = start(limits().withMaxBytes(256 * 1024));
        int size = 4 * 1024 * 1024;
        String response = get(proxy, "http://api.allowed.test:" + upstream.port() + "/bytes?n=" + size);
        assertThat(response).startsWith("HTTP/1.1 200");
        assertThat(response.length()).isLessThan(size).isLessThanOrEqualTo(256 * 1024);
        EgressRecord cut = awaitRecords(proxy, 1).get(0);
        assertThat(cut.end()).isEqualTo(EndReason.BYTE_LIMIT);
        assertThat(cut.rule()).isEqualTo("egress.limit.bytes");
        assertThat(cut.bytesUp() + cut.bytesDown()).isLessThanOrEqualTo(256 * 1024);

        assertThat(get(proxy, "http://api.allowed.test:" + upstream.port() + "/hello")).startsWith("HTTP/1.1 403")
                .contains("egress.limit.bytes");
        EgressRecord refused = awaitRecords(proxy, 2).get(1);
        assertThat(refused.verdict()).isEqualTo(EgressVerdict.DENIED);
        assertThat(proxy.summary().byteLimitReached()).isTrue();
    }

    @Test
    void refusesConnectionsBeyondTheConcurrencyLimit() throws Exception {
        EgressProxy proxy = start(limits().withMaxConnections(1));
        try (ProxyClient held = new ProxyClient(proxy.socketPath())) {
            held.send("CONNECT api.allowed.test:" + upstream.port() + " HTTP/1.1\r\n\r\n");
            assertThat(held.readHead()).startsWith("HTTP/1.1 200");
            try (ProxyClient second = new ProxyClient(proxy.socketPath())) {
                assertThat(second.readAllText()).startsWith("HTTP/1.1 429").contains("egress.limit.connections");
            }
        }
        List<EgressRecord> records = awaitRecords(proxy, 2);
        assertThat(records).extracting(EgressRecord::rule).contains("egress.limit.connections");
        // The slot is free again once the held connection ended.
        assertThat(get(proxy, "http://api.allowed.test:" + upstream.port() + "/hello")).startsWith("HTTP/1.1 200");
    }

    @Test
    void cutsEverythingAtTheTotalTimeoutAndRefusesAfterwards() throws Exception {
        EgressProxy proxy = start(limits().withTotalTimeout(Duration.ofMillis(800)));
        try (ProxyClient c = new ProxyClient(proxy.socketPath())) {
            c.send("CONNECT api.allowed.test:" + upstream.port() + " HTTP/1.1\r\n\r\n");
            assertThat(c.readHead()).startsWith("HTTP/1.1 200");
            assertThat(c.readAll(1024)).isEmpty();
        }
        assertThat(awaitRecords(proxy, 1).get(0).end()).isEqualTo(EndReason.TOTAL_TIMEOUT);
        assertThat(get(proxy, "http://api.allowed.test:" + upstream.port() + "/hello")).startsWith("HTTP/1.1 403")
                .contains("egress.limit.total-time");
        assertThat(proxy.summary().totalTimeReached()).isTrue();
    }

    @Test
    void closeCutsOpenConnectionsEndsEveryThreadAndRemovesTheSocket() throws Exception {
        EgressProxy proxy = start(limits());
        Path socket = proxy.socketPath();
        Path runDir = proxy.runDirectory();
        assertThat(socket).exists();
        assertThat(Files.getPosixFilePermissions(runDir)).hasSize(3); // rwx------
        ProxyClient open = new ProxyClient(socket);
        open.send("CONNECT api.allowed.test:" + upstream.port() + " HTTP/1.1\r\n\r\n");
        assertThat(open.readHead()).startsWith("HTTP/1.1 200");
        assertThat(threads("agentgate-egress-test-0-")).isNotEmpty();

        proxy.close();
        proxy.close(); // idempotent

        assertThat(open.readAll(1024)).isEmpty();
        open.close();
        assertThat(proxy.isOpen()).isFalse();
        assertThat(socket).doesNotExist();
        assertThat(runDir).doesNotExist();
        assertThat(threads("agentgate-egress-test-0-")).isEmpty();
        assertThat(proxy.records()).singleElement().satisfies(r -> assertThat(r.end()).isEqualTo(EndReason.PROXY_CLOSED));
        assertThatThrownBy(() -> new ProxyClient(socket)).isInstanceOf(IOException.class);
    }

    @Test
    void keepsAtMostMaxRecordsButCountsEveryAttempt() throws Exception {
        EgressProxy proxy = start(limits().withMaxRecords(2));
        for (int i = 0; i < 4; i++) {
            get(proxy, "http://evil.test:" + upstream.port() + "/");
        }
        for (int i = 0; i < 500 && proxy.summary().attempts() < 4; i++) {
            Thread.sleep(10);
        }
        assertThat(proxy.records()).hasSize(2);
        assertThat(proxy.summary().attempts()).isEqualTo(4);
        assertThat(proxy.summary().droppedRecords()).isEqualTo(2);
        assertThat(proxy.summary().unauthorized()).isEqualTo(4);
    }

    @Test
    void aClosedNetworkPolicyDeniesEverything() throws Exception {
        EgressConfig config = new EgressConfig("closed", NetworkPolicy.closed(), limits(), testResolver(), true, tmp,
                EgressConfig.DEFAULT_RELAY_PORT, RelayBinary.bundled(), null);
        try (EgressProxy proxy = EgressProxy.start(config)) {
            assertThat(get(proxy, "http://api.allowed.test:" + upstream.port() + "/")).startsWith("HTTP/1.1 403")
                    .contains("network.closed");
        }
    }

    static List<String> threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith(prefix)).toList();
    }
}
