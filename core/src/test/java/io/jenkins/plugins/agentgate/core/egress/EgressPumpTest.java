package io.jenkins.plugins.agentgate.core.egress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The egress pump (the relay binary in --pump mode, started by the real proxy): descriptor passing from the real
 * relay, refusal of anything that is not a connection, tunnel byte counts and the shared byte budget, and the
 * pump's lifetime. Traffic stays on loopback and the proxy's Unix sockets.
 */
class EgressPumpTest {
    @TempDir
    Path tmp;

    TestUpstream upstream;
    final List<EgressProxy> proxies = new ArrayList<>();
    final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = TestUpstream.onLoopback();
    }

    @AfterEach
    void stopAll() throws Exception {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        proxies.forEach(EgressProxy::close);
        upstream.close();
    }

    EgressProxy start(EgressLimits limits) throws Exception {
        EgressConfig config = new EgressConfig("pump-" + proxies.size(),
                new io.jenkins.plugins.agentgate.core.profile.NetworkPolicy(
                        io.jenkins.plugins.agentgate.core.profile.NetworkMode.ALLOWLIST,
                        List.of("api.allowed.test:" + upstream.port()), List.of()),
                limits, EgressProxyTest.testResolver(), true, tmp, EgressConfig.DEFAULT_RELAY_PORT, RelayBinary.bundled(), null);
        EgressProxy proxy = EgressProxy.start(config);
        proxies.add(proxy);
        return proxy;
    }

    static EgressLimits limits() {
        return EgressLimits.forRun(Duration.ofMinutes(5));
    }

    String connect() {
        return "CONNECT api.allowed.test:" + upstream.port() + " HTTP/1.1\r\n\r\n";
    }

    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: api.allowed.test\r\nConnection: close\r\n\r\n";
    }

    @Test
    void theRelayPassesTheClientAndIsThenOutOfTheTunnelsBytePath() throws Exception {
        EgressProxy proxy = start(limits());
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process relay = new ProcessBuilder(proxy.runDirectory().resolve("relay/agentgate-egress-relay").toString(),
                "--listen", Integer.toString(port), "--socket", proxy.socketPath().toString(), "--pass-fd")
                .redirectErrorStream(true).start();
        processes.add(relay);
        Socket client = null;
        for (int i = 0; i < 200 && client == null; i++) {
            try {
                client = new Socket(InetAddress.getLoopbackAddress(), port);
            } catch (java.io.IOException e) {
                Thread.sleep(10);
            }
        }
        assertThat(client).as("relay listening").isNotNull();
        try (Socket c = client) {
            c.setSoTimeout(10_000);
            OutputStream out = c.getOutputStream();
            InputStream in = c.getInputStream();
            out.write(connect().getBytes(StandardCharsets.US_ASCII));
            assertThat(readHead(in)).startsWith("HTTP/1.1 200");
            // The relay handed the connection over: with the relay gone, the tunnel still carries the exchange.
            relay.destroy();
            assertThat(relay.waitFor(5, TimeUnit.SECONDS)).isTrue();
            String request = get("/bytes?n=3000000");
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            byte[] response = in.readAllBytes();
            assertThat(new String(response, 0, 15, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200 OK");
            assertThat(response.length).isGreaterThan(3_000_000);
            EgressRecord r = EgressProxyTest.awaitRecords(proxy, 1).get(0);
            assertThat(r.method()).isEqualTo("CONNECT");
            assertThat(r.verdict()).isEqualTo(EgressVerdict.ALLOWED);
            assertThat(r.end()).isEqualTo(EndReason.COMPLETED);
            assertThat(r.address()).isEqualTo("127.0.0.1");
            assertThat(r.bytesDown()).as("every byte the client received after the 200").isEqualTo(response.length);
            assertThat(r.bytesUp()).isEqualTo(request.length());
        }
    }

    /** The test helper that passes hostile descriptors, compiled with the build's C compiler. */
    Path sendFdHelper() throws Exception {
        Path helper = tmp.resolve("send-fd");
        Process cc = new ProcessBuilder(System.getenv().getOrDefault("CC", "gcc"), "-Wall", "-Werror", "-o", helper.toString(),
                Path.of("src/test/c/send-fd.c").toAbsolutePath().toString()).redirectErrorStream(true).start();
        assertThat(cc.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(cc.exitValue()).as(new String(cc.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        return helper;
    }

    @Test
    void refusesAndRecordsADescriptorThatIsNotAConnectedStreamSocket() throws Exception {
        Path helper = sendFdHelper();
        EgressProxy proxy = start(limits());
        List<String> kinds = List.of("file", "pipe", "datagram", "listening", "two");
        for (String kind : kinds) {
            Process p = new ProcessBuilder(helper.toString(), proxy.socketPath().toString(), kind).redirectErrorStream(true).start();
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).as(kind).isTrue();
            assertThat(p.exitValue()).as(kind + ": the pump closes the connection without serving it: "
                    + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        }
        List<EgressRecord> records = EgressProxyTest.awaitRecords(proxy, kinds.size());
        assertThat(records).hasSize(kinds.size()).allSatisfy(r -> {
            assertThat(r.verdict()).isEqualTo(EgressVerdict.DENIED);
            assertThat(r.rule()).isEqualTo(EgressRules.RELAY_DESCRIPTOR);
            assertThat(r.end()).isEqualTo(EndReason.REFUSED);
        });
        assertThat(records).extracting(EgressRecord::detail).anySatisfy(d -> assertThat(d).contains("not-a-socket"))
                .anySatisfy(d -> assertThat(d).contains("not-a-stream-socket"))
                .anySatisfy(d -> assertThat(d).contains("listening-socket"))
                .anySatisfy(d -> assertThat(d).contains("more-than-one-descriptor"));
        assertThat(proxy.summary().unauthorized()).isEqualTo(kinds.size());
        // The pump goes on serving.
        try (ProxyClient c = new ProxyClient(proxy.socketPath())) {
            c.send(connect());
            assertThat(c.readHead()).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aPassedSocketTurnedBlockingUnderThePumpIsClosedAndTheOthersAreServed() throws Exception {
        Path helper = sendFdHelper();
        EgressProxy proxy = start(limits());
        Process hostile = new ProcessBuilder(helper.toString(), proxy.socketPath().toString(), "blocking",
                connect().strip()).redirectErrorStream(true).start();
        processes.add(hostile);
        // The hostile tunnel is decided and connected; then the pump's read on the now blocking socket is cut short.
        List<EgressRecord> records = EgressProxyTest.awaitRecords(proxy, 1);
        assertThat(records).singleElement().satisfies(r -> {
            assertThat(r.method()).isEqualTo("CONNECT");
            assertThat(r.end()).isEqualTo(EndReason.IO_ERROR);
        });
        assertThat(hostile.isAlive()).as("cut while the hostile process still holds the descriptor").isTrue();
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (ProxyClient c = new ProxyClient(proxy.socketPath())) {
                c.send(connect());
                assertThat(c.readHead()).startsWith("HTTP/1.1 200");
            }
        });
    }

    @Test
    void countsATunnelsBytesAndCutsItAtTheByteLimit() throws Exception {
        EgressProxy proxy = start(limits().withMaxBytes(256 * 1024));
        byte[] received;
        try (ProxyClient c = new ProxyClient(proxy.socketPath())) {
            c.send(connect());
            assertThat(c.readHead()).startsWith("HTTP/1.1 200");
            c.send(get("/bytes?n=" + 4 * 1024 * 1024));
            received = c.readAll(8 * 1024 * 1024);
        }
        assertThat(received.length).isGreaterThan(0).isLessThanOrEqualTo(256 * 1024);
        EgressRecord cut = EgressProxyTest.awaitRecords(proxy, 1).get(0);
        assertThat(cut.verdict()).isEqualTo(EgressVerdict.ALLOWED);
        assertThat(cut.end()).isEqualTo(EndReason.BYTE_LIMIT);
        assertThat(cut.rule()).isEqualTo(EgressRules.LIMIT_BYTES);
        assertThat(cut.bytesDown()).isEqualTo(received.length);
        assertThat(cut.bytesUp()).isEqualTo(get("/bytes?n=" + 4 * 1024 * 1024).length());
        assertThat(cut.bytesUp() + cut.bytesDown()).isLessThanOrEqualTo(256 * 1024);
        assertThat(proxy.summary().byteLimitReached()).isTrue();
        try (ProxyClient c = new ProxyClient(proxy.socketPath())) {
            assertThat(c.send(connect()).readAllText()).startsWith("HTTP/1.1 403").contains(EgressRules.LIMIT_BYTES);
        }
    }

    @Test
    void concurrentTunnelsAndPlainHttpShareTheRunsByteBudget() throws Exception {
        long budget = EgressProxy.GRANT_BYTES + EgressProxy.GRANT_BYTES / 2;
        EgressProxy proxy = start(limits().withMaxBytes(budget));
        long each = EgressProxy.GRANT_BYTES + 1024 * 1024; // more than any one grant
        long total = 0;
        try (ProxyClient a = new ProxyClient(proxy.socketPath()); ProxyClient b = new ProxyClient(proxy.socketPath())) {
            a.send(connect());
            assertThat(a.readHead()).startsWith("HTTP/1.1 200");
            b.send(connect());
            assertThat(b.readHead()).startsWith("HTTP/1.1 200");
            a.send(get("/bytes?n=" + each));
            b.send(get("/bytes?n=" + each));
            total += a.readAll(Integer.MAX_VALUE).length;
            total += b.readAll(Integer.MAX_VALUE).length;
        }
        assertThat(total).as("both tunnels together stay within the run's budget").isLessThanOrEqualTo(budget);
        List<EgressRecord> records = EgressProxyTest.awaitRecords(proxy, 2);
        assertThat(records).hasSize(2).allSatisfy(r -> {
            assertThat(r.end()).isEqualTo(EndReason.BYTE_LIMIT);
            assertThat(r.bytesDown()).isPositive();
        });
        assertThat(records.stream().mapToLong(r -> r.bytesUp() + r.bytesDown()).sum()).isLessThanOrEqualTo(budget);
        assertThat(proxy.summary().byteLimitReached()).isTrue();
        // Plain HTTP draws on the same budget: it is spent for it too.
        try (ProxyClient c = new ProxyClient(proxy.socketPath())) {
            assertThat(c.send("GET http://api.allowed.test:" + upstream.port() + "/hello HTTP/1.1\r\n\r\n").readAllText())
                    .startsWith("HTTP/1.1 403").contains(EgressRules.LIMIT_BYTES);
        }
    }

    @Test
    void thePumpStopsWithTheProxy() throws Exception {
        EgressProxy proxy = start(limits());
        ProcessHandle pump = ProcessHandle.of(proxy.pumpPid()).orElseThrow();
        assertThat(pump.info().arguments().map(List::of).orElse(List.of())).contains("--pump");
        proxy.close();
        assertThat(pump.isAlive()).isFalse();
    }

    @Test
    void thePumpDiesWithItsJvm() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process jvm = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), PumpHost.class.getName(),
                tmp.toString()).redirectErrorStream(true).start();
        processes.add(jvm);
        long pid;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
            String line = r.readLine();
            assertThat(line).as("the child JVM reports its pump").startsWith("pump ");
            pid = Long.parseLong(line.substring(5));
            Optional<ProcessHandle> pump = ProcessHandle.of(pid);
            assertThat(pump).isPresent();
            assertThat(pump.get().isAlive()).isTrue();
            jvm.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertThat(jvm.waitFor(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 500 && running(pid); i++) {
                Thread.sleep(10);
            }
            assertThat(running(pid)).as("the pump of a killed JVM").isFalse();
        }
    }

    /** Alive and not a zombie (an orphan is reaped by whatever init the machine has, maybe late). */
    static boolean running(long pid) {
        try {
            String stat = java.nio.file.Files.readString(Path.of("/proc/" + pid + "/stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (java.io.IOException e) {
            return false;
        }
    }

    static String readHead(InputStream in) throws Exception {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            sb.append((char) b);
        }
        return sb.toString();
    }
}
