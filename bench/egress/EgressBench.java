import com.sun.net.httpserver.HttpServer;
import io.jenkins.plugins.agentgate.core.egress.EgressConfig;
import io.jenkins.plugins.agentgate.core.egress.EgressLimits;
import io.jenkins.plugins.agentgate.core.egress.EgressProxy;
import io.jenkins.plugins.agentgate.core.egress.EgressResolver;
import io.jenkins.plugins.agentgate.core.egress.RelayBinary;
import io.jenkins.plugins.agentgate.core.profile.NetworkMode;
import io.jenkins.plugins.agentgate.core.profile.NetworkPolicy;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Egress proxy benchmark: added latency per request and throughput, through the sandbox's path versus direct
 * loopback, interleaved in one run. The relay runs on the host here (same binary and arguments as in the sandbox,
 * {@code --pass-fd} included; a container's loopback is just another loopback), so the proxied path is exactly the
 * sandbox's: client -TCP-> relay, which passes the connection's descriptor -Unix socket-> pump; the pump forwards
 * the head to the proxy (Java decides) and then, for CONNECT, splices client <-> server itself; absolute-URI
 * requests are served by the proxy through the pump.
 *
 * Usage (see bench/egress-proxy.sh): EgressBench [requests] [throughputMiB] [rounds]
 */
public class EgressBench {
    static final String NAME = "bench.allowed.test";

    public static void main(String[] args) throws Exception {
        int requests = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        int mib = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        byte[] small = "x".repeat(128).getBytes(StandardCharsets.US_ASCII);
        byte[] chunk = new byte[256 * 1024];

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/small", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, small.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(small);
            }
        });
        server.createContext("/big", ex -> {
            long n = (long) mib * 1024 * 1024;
            ex.sendResponseHeaders(200, n);
            try (OutputStream o = ex.getResponseBody()) {
                for (long left = n; left > 0; left -= chunk.length) {
                    o.write(chunk, 0, (int) Math.min(chunk.length, left));
                }
            }
        });
        server.start();
        int port = server.getAddress().getPort();

        Path base = Files.createTempDirectory("agentgate-egress-bench");
        EgressResolver resolver = h -> List.of(InetAddress.getByAddress(h, new byte[] {127, 0, 0, 1}));
        NetworkPolicy policy = new NetworkPolicy(NetworkMode.ALLOWLIST, List.of(NAME + ":" + port), List.of());
        EgressLimits limits = new EgressLimits(64, Long.MAX_VALUE, Duration.ofMinutes(5), Duration.ofHours(1),
                Duration.ofSeconds(5), 64 * 1024, 100);
        EgressConfig config = new EgressConfig("bench", policy, limits, resolver, true, base,
                EgressConfig.DEFAULT_RELAY_PORT, RelayBinary.bundled(), null);
        Process relay = null;
        Process byteRelay = null;
        try (EgressProxy proxy = EgressProxy.start(config)) {
            int relayPort;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                relayPort = s.getLocalPort();
            }
            Path relayBin = proxy.runDirectory().resolve("relay/agentgate-egress-relay");
            relay = new ProcessBuilder(relayBin.toString(), "--listen", Integer.toString(relayPort), "--socket",
                    proxy.socketPath().toString(), "--pass-fd").inheritIO().start();
            awaitListening(relayPort);
            // For comparison: the same relay without --pass-fd (it relays every byte to the pump itself).
            int byteRelayPort;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                byteRelayPort = s.getLocalPort();
            }
            byteRelay = new ProcessBuilder(relayBin.toString(), "--listen", Integer.toString(byteRelayPort), "--socket",
                    proxy.socketPath().toString()).inheritIO().start();
            awaitListening(byteRelayPort);

            String direct = "GET /small HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
            String forward = "GET http://" + NAME + ":" + port + "/small HTTP/1.1\r\nHost: " + NAME + "\r\n\r\n";
            String connect = "CONNECT " + NAME + ":" + port + " HTTP/1.1\r\n\r\n";

            // Warm-up: JIT, thread pools, TCP state.
            for (int i = 0; i < Math.max(200, requests / 4); i++) {
                request(port, null, direct);
                request(relayPort, null, forward);
                request(relayPort, connect, direct);
            }
            long[] d = new long[requests];
            long[] f = new long[requests];
            long[] c = new long[requests];
            for (int i = 0; i < requests; i++) { // interleaved: drift in machine load hits all three alike
                d[i] = request(port, null, direct);
                f[i] = request(relayPort, null, forward);
                c[i] = request(relayPort, connect, direct);
            }
            System.out.printf("load average at start: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
            System.out.printf("egress latency, %d requests each, new connection per request (µs)%n", requests);
            System.out.println("| path | median | p90 | p99 |");
            System.out.println("|---|---|---|---|");
            row("direct loopback", d);
            row("relay + pump + proxy, absolute-URI (http)", f);
            row("relay + pump + proxy, CONNECT tunnel", c);
            double addedF = (median(f) - median(d)) / 1e6;
            double addedC = (median(c) - median(d)) / 1e6;
            System.out.printf("added at the median: %.3f ms (absolute-URI), %.3f ms (CONNECT); target <= 1 ms: %s%n",
                    addedF, addedC, Math.max(addedF, addedC) <= 1.0 ? "MET" : "MISSED");

            long pumpPid = ProcessHandle.current().children()
                    .filter(h -> h.info().arguments().map(a -> Arrays.asList(a).contains("--pump")).orElse(false))
                    .findFirst().orElseThrow(() -> new IllegalStateException("no egress pump child")).pid();
            long relayTicksBefore = cpuTicks(relay.pid());
            double[] td = new double[rounds];
            double[] tp = new double[rounds];
            double[] tu = new double[rounds];
            double[] tb = new double[rounds];
            long pumpTicks = 0;
            String big = "GET /big HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
            download(port, null, big); // warm-up
            download(relayPort, connect, big);
            downloadUnix(proxy.socketPath(), connect, big);
            download(byteRelayPort, connect, big);
            for (int r = 0; r < rounds; r++) {
                td[r] = download(port, null, big);
                long before = cpuTicks(pumpPid);
                tp[r] = download(relayPort, connect, big);
                pumpTicks += cpuTicks(pumpPid) - before;
                tu[r] = downloadUnix(proxy.socketPath(), connect, big);
                tb[r] = download(byteRelayPort, connect, big);
            }
            long relayTicks = cpuTicks(relay.pid()) - relayTicksBefore;
            double md = medianD(td);
            double mp = medianD(tp);
            System.out.printf("%nrelay CPU during the throughput rounds: %.2f s for %d MiB (%.2f s per GiB)%n",
                    relayTicks / 100.0, (long) mib * rounds, relayTicks / 100.0 / (mib * rounds / 1024.0));
            System.out.printf("pump CPU during the sandbox-path rounds: %.2f s for %d MiB (%.2f s per GiB)%n",
                    pumpTicks / 100.0, (long) mib * rounds, pumpTicks / 100.0 / (mib * rounds / 1024.0));
            System.out.printf("%nthroughput breakdown (MiB/s, median): pump + proxy alone, client on the Unix socket %.0f;"
                    + " relay without --pass-fd (relays every byte) + pump + proxy %.0f (%.2fx)%n",
                    medianD(tu), medianD(tb), medianD(tb) / md);
            System.out.printf("%nthroughput, %d MiB download, %d interleaved rounds (MiB/s, median): direct %.0f,"
                    + " relay --pass-fd + pump + proxy CONNECT %.0f; ratio %.2fx; target >= 0.8x: %s%n", mib, rounds, md, mp,
                    mp / md, mp / md >= 0.8 ? "MET" : "MISSED");
            System.out.printf("per round (MiB/s): direct %s; sandbox path %s%n", Arrays.toString(round0(td)),
                    Arrays.toString(round0(tp)));
        } finally {
            for (Process p : new Process[] {relay, byteRelay}) {
                if (p != null) {
                    p.destroy();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            }
            server.stop(0);
            ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
            Files.deleteIfExists(base);
        }
    }

    /** utime + stime of a process, in clock ticks (1/100 s). */
    static long cpuTicks(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static void awaitListening(int port) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (java.io.IOException e) {
                Thread.sleep(10);
            }
        }
        throw new IllegalStateException("relay did not listen on " + port);
    }

    /** One request on a new connection; returns nanoseconds until the response is fully read. */
    static long request(int port, String connect, String request) throws Exception {
        long t0 = System.nanoTime();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setTcpNoDelay(true);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            if (connect != null) {
                out.write(connect.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                readHead(in);
            }
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] buf = new byte[8192];
            long total = 0;
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
            }
            if (total < 128) {
                throw new IllegalStateException("short response: " + total + " bytes");
            }
        }
        return System.nanoTime() - t0;
    }

    /** Downloads through a new connection; returns MiB/s. */
    static double download(int port, String connect, String request) throws Exception {
        long t0 = System.nanoTime();
        long total = 0;
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(60_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            if (connect != null) {
                out.write(connect.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                readHead(in);
            }
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] buf = new byte[256 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                total += n;
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return total / 1048576.0 / seconds;
    }

    /** Downloads through the proxy's Unix socket directly (no relay): the proxy's own share of the cost. */
    static double downloadUnix(Path socket, String connect, String request) throws Exception {
        long t0 = System.nanoTime();
        long total = 0;
        try (java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.connect(java.net.UnixDomainSocketAddress.of(socket));
            InputStream in = java.nio.channels.Channels.newInputStream(ch);
            OutputStream out = java.nio.channels.Channels.newOutputStream(ch);
            out.write(connect.getBytes(StandardCharsets.US_ASCII));
            readHead(in);
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(256 * 1024);
            for (int n; (n = ch.read(buf)) >= 0; buf.clear()) {
                total += n;
            }
        }
        return total / 1048576.0 / ((System.nanoTime() - t0) / 1e9);
    }

    static void readHead(InputStream in) throws Exception {
        int state = 0;
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IllegalStateException("proxy closed during CONNECT");
            }
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1 : 0;
        }
    }

    static void row(String name, long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        System.out.printf("| %s | %d | %d | %d |%n", name, s[s.length / 2] / 1000, s[(int) (s.length * 0.9)] / 1000,
                s[(int) (s.length * 0.99)] / 1000);
    }

    static double median(long[] ns) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    static long[] round0(double[] v) {
        long[] out = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Math.round(v[i]);
        }
        return out;
    }

    static double medianD(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
