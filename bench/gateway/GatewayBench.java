import io.jenkins.plugins.agentgate.core.gateway.GatewayConfig;
import io.jenkins.plugins.agentgate.core.gateway.ToolGateway;
import io.jenkins.plugins.agentgate.core.port.SecretSource;
import io.jenkins.plugins.agentgate.core.port.SecretSourceException;
import io.jenkins.plugins.agentgate.core.port.SecretValue;
import io.jenkins.plugins.agentgate.core.profile.Connector;
import io.jenkins.plugins.agentgate.core.profile.McpTool;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Tool gateway benchmark: added latency per tools/call through relay + gateway versus a direct call to the same
 * kind of connector, interleaved in one run. Every path ends at an SDK stdio MCP server (this file in --server mode).
 * The stdio gateway path is what mcp.json gives the sandbox: SDK stdio client -pipes-> relay --stdio -Unix socket->
 * gateway (decision, record) -stdio-> connector. The HTTP gateway path (AGENTGATE_MCP_URL): SDK client -HTTP/TCP->
 * relay -Unix socket-> gateway -stdio-> connector. The direct path: SDK client -stdio-> connector.
 *
 * Usage (see bench/tool-gateway.sh): GatewayBench [calls=1000] [rounds=5]
 */
public class GatewayBench {
    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("--server")) {
            server();
            return;
        }
        int calls = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String self = Path.of("bench/gateway/GatewayBench.java").toAbsolutePath().toString();
        List<String> serverCommand = List.of(java, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), self, "--server");

        Path tmp = Files.createTempDirectory("agentgate-gwbench-");
        Connector c = new Connector("bench", "", serverCommand, null, Map.of(), List.of(), Duration.ofSeconds(30));
        SecretSource none = new SecretSource() {
            public SecretValue resolve(String id) throws SecretSourceException {
                throw new SecretSourceException(id, "none");
            }

            public Set<String> ids() {
                return Set.of();
            }
        };
        GatewayConfig cfg = new GatewayConfig("bench", List.of(new McpTool("echo", "bench", Map.of())), List.of(c), none, tmp,
                GatewayConfig.DEFAULT_CALL_TIMEOUT, 1_000_000, GatewayConfig.DEFAULT_MAX_RESULT_BYTES,
                GatewayConfig.DEFAULT_MAX_REQUEST_BYTES, null);
        Process relay = null;
        try (ToolGateway gw = ToolGateway.start(cfg)) {
            Path relayBin = tmp.resolve("relay");
            String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
            Files.copy(Path.of("core/target/classes/io/jenkins/plugins/agentgate/core/egress/relay/" + arch + "/agentgate-egress-relay"), relayBin);
            relayBin.toFile().setExecutable(true);
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            relay = new ProcessBuilder(relayBin.toString(), "--listen", Integer.toString(port), "--socket", gw.socketPath().toString())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            for (int i = 0; i < 500; i++) {
                try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    break;
                } catch (java.io.IOException e) {
                    Thread.sleep(10);
                }
            }
            McpSyncClient viaGateway = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port)
                    .endpoint(ToolGateway.ENDPOINT).build()).requestTimeout(Duration.ofSeconds(30)).build();
            viaGateway.initialize();
            ServerParameters p = ServerParameters.builder(serverCommand.get(0)).args(serverCommand.subList(1, serverCommand.size())).build();
            McpSyncClient direct = McpClient.sync(new StdioClientTransport(p, McpJsonDefaults.getMapper()))
                    .requestTimeout(Duration.ofSeconds(30)).build();
            direct.initialize();
            McpSyncClient viaStdio = McpClient.sync(new StdioClientTransport(ServerParameters.builder(relayBin.toString())
                    .args("--stdio", gw.stdioSocketPath().toString()).build(), McpJsonDefaults.getMapper()))
                    .requestTimeout(Duration.ofSeconds(30)).build();
            viaStdio.initialize();

            McpSchema.CallToolRequest req = new McpSchema.CallToolRequest("echo", Map.of("text", "x".repeat(64)));
            int warmup = Integer.getInteger("bench.warmup", 2000);
            long w0 = System.nanoTime();
            for (int i = 0; i < warmup; i++) { // warm-up, both paths
                viaGateway.callTool(req);
                viaStdio.callTool(req);
                direct.callTool(req);
            }
            System.out.printf("warm-up: %d call pairs in %.1f s%n", warmup, (System.nanoTime() - w0) / 1e9);
            System.out.printf("calls per round %d, rounds %d (interleaved)%n", calls, rounds);
            List<Double> addedMedians = new ArrayList<>();
            List<Double> addedStdioMedians = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                long[] g = new long[calls];
                long[] s = new long[calls];
                long[] d = new long[calls];
                long r0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    // The order rotates so that no path always follows the same one.
                    long dt = 0, gt = 0, st = 0;
                    for (int k = 0; k < 3; k++) {
                        int which = (i + k) % 3;
                        long t0 = System.nanoTime();
                        (which == 0 ? direct : which == 1 ? viaGateway : viaStdio).callTool(req);
                        long t = System.nanoTime() - t0;
                        if (which == 0) {
                            dt = t;
                        } else if (which == 1) {
                            gt = t;
                        } else {
                            st = t;
                        }
                    }
                    d[i] = dt;
                    g[i] = gt;
                    s[i] = st;
                }
                double wall = (System.nanoTime() - r0) / 1e9;
                Arrays.sort(g);
                Arrays.sort(s);
                Arrays.sort(d);
                double added = (g[calls / 2] - d[calls / 2]) / 1e6;
                double addedStdio = (s[calls / 2] - d[calls / 2]) / 1e6;
                addedMedians.add(added);
                addedStdioMedians.add(addedStdio);
                System.out.printf("round %d: direct median %.3f ms p90 %.3f ms | via gateway stdio median %.3f ms p90 %.3f ms, added %.3f ms"
                                + " | via gateway HTTP median %.3f ms p90 %.3f ms, added %.3f ms%n",
                        r, d[calls / 2] / 1e6, d[calls * 9 / 10] / 1e6, s[calls / 2] / 1e6, s[calls * 9 / 10] / 1e6, addedStdio,
                        g[calls / 2] / 1e6, g[calls * 9 / 10] / 1e6, added);
                // The tail, where stalls show: a round's wall time far above calls x (medians) means long waits.
                System.out.printf("         tail: direct p99 %.3f max %.3f ms, >20 ms %d | stdio p99 %.3f max %.3f ms, >20 ms %d"
                                + " | HTTP p99 %.3f max %.3f ms, >20 ms %d | round wall %.1f s%n",
                        d[calls * 99 / 100] / 1e6, d[calls - 1] / 1e6, Arrays.stream(d).filter(x -> x > 20_000_000L).count(),
                        s[calls * 99 / 100] / 1e6, s[calls - 1] / 1e6, Arrays.stream(s).filter(x -> x > 20_000_000L).count(),
                        g[calls * 99 / 100] / 1e6, g[calls - 1] / 1e6, Arrays.stream(g).filter(x -> x > 20_000_000L).count(), wall);
            }
            addedMedians.sort(Double::compare);
            addedStdioMedians.sort(Double::compare);
            if (!addedMedians.isEmpty()) {
                System.out.printf("added latency per tools/call, median of round medians: stdio path %.3f ms, HTTP path %.3f ms"
                                + " (target <= 1 ms)%n", addedStdioMedians.get(addedStdioMedians.size() / 2),
                        addedMedians.get(addedMedians.size() / 2));
            }
            long[] inside = gw.records().stream().mapToLong(x -> x.durationMillis()).sorted().toArray();
            if (inside.length == 0) {
                inside = new long[] {-1};
            }
            System.out.printf("gateway records: %d, summary %s; inside the gateway (decision + connector call, whole ms): median %d ms, p90 %d ms%n",
                    gw.records().size(), gw.summary(), inside[inside.length / 2], inside[inside.length * 9 / 10]);
            if (!Boolean.getBoolean("bench.skipHops")) {
                hops(gw, port, direct, viaGateway, viaStdio, req, calls);
            }
            viaStdio.closeGracefully();
            viaGateway.closeGracefully();
            direct.closeGracefully();
        } finally {
            if (relay != null) {
                relay.destroyForcibly();
            }
        }
        // Leftover threads must not hold the bench open (the SDK's session sweeper of the old SSE transport was not a
        // daemon and kept this JVM alive after the last round; ToolGatewayTest checks the gateway leaves no thread).
        System.exit(0);
    }

    /**
     * Where the time goes: the same tools/call over each hop of the path, interleaved, medians. The raw clients send
     * one HTTP/1.1 request on a kept-alive connection and read the whole answer (JSON, or an SSE stream to its end),
     * so they show the server side (Jetty, the SDK's servlet transport, decision, record, connector leg) without an
     * HTTP client library; the difference between them is the relay.
     */
    static void hops(ToolGateway gw, int port, McpSyncClient direct, McpSyncClient viaGateway, McpSyncClient viaStdio,
                     McpSchema.CallToolRequest req, int calls) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\""
                + "x".repeat(64) + "\"}}}";
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
        try (RawHttp tcp = new RawHttp(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port));
             RawHttp unix = new RawHttp(java.net.UnixDomainSocketAddress.of(gw.socketPath()));
             RawLines lines = new RawLines(gw.stdioSocketPath())) {
            java.net.http.HttpRequest.Builder hb = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + ToolGateway.ENDPOINT))
                    .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body));
            if (tcp.session != null) {
                hb.header("Mcp-Session-Id", tcp.session);
            }
            java.net.http.HttpRequest hreq = hb.build();
            String[] names = {"direct stdio (SDK client)", "raw HTTP over Unix socket, no relay", "raw HTTP via relay (TCP)",
                    "JDK HttpClient via relay", "SDK client via relay (bench path)", "raw stdio line over Unix socket, no relay",
                    "SDK stdio client via relay --stdio"};
            long[][] t = new long[names.length][calls];
            for (int w = 0; w < calls / 2 + 1; w++) { // warm-up of the raw paths
                tcp.post(body);
                unix.post(body);
                lines.post(body);
                http.send(hreq, java.net.http.HttpResponse.BodyHandlers.ofString());
            }
            for (int i = 0; i < calls; i++) {
                long t0 = System.nanoTime();
                direct.callTool(req);
                long t1 = System.nanoTime();
                unix.post(body);
                long t2 = System.nanoTime();
                tcp.post(body);
                long t3 = System.nanoTime();
                java.net.http.HttpResponse<String> r = http.send(hreq, java.net.http.HttpResponse.BodyHandlers.ofString());
                long t4 = System.nanoTime();
                viaGateway.callTool(req);
                long t5 = System.nanoTime();
                lines.post(body);
                long t6 = System.nanoTime();
                viaStdio.callTool(req);
                long t7 = System.nanoTime();
                t[5][i] = t6 - t5;
                t[6][i] = t7 - t6;
                if (r.statusCode() != 200 || !r.body().contains("\"result\"")) {
                    throw new IllegalStateException("unexpected answer " + r.statusCode() + ": " + r.body());
                }
                t[0][i] = t1 - t0;
                t[1][i] = t2 - t1;
                t[2][i] = t3 - t2;
                t[3][i] = t4 - t3;
                t[4][i] = t5 - t4;
            }
            System.out.printf("hops (%d calls each, interleaved):%n", calls);
            for (int k = 0; k < names.length; k++) {
                Arrays.sort(t[k]);
                System.out.printf("  %-40s median %.3f ms p90 %.3f ms%n", names[k], t[k][calls / 2] / 1e6, t[k][calls * 9 / 10] / 1e6);
            }
            System.out.printf("  server side added (raw via relay - direct): %.3f ms; answers: %s, %s%n",
                    (t[2][calls / 2] - t[0][calls / 2]) / 1e6, tcp.lastContentType, tcp.lastFraming);
            System.out.printf("  stdio endpoint (raw line, no relay - direct): %.3f ms; relay --stdio + SDK stdio client - direct: %.3f ms%n",
                    (t[5][calls / 2] - t[0][calls / 2]) / 1e6, (t[6][calls / 2] - t[0][calls / 2]) / 1e6);
        }
    }

    /** A minimal newline-delimited JSON-RPC client on the gateway's stdio socket (what the relay --stdio carries). */
    static final class RawLines implements AutoCloseable {
        final java.nio.channels.SocketChannel ch;
        final java.io.InputStream in;
        final java.io.OutputStream out;

        RawLines(Path socket) throws java.io.IOException {
            ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(socket));
            // Separate streams over the channel (Channels.newInputStream would hold the channel's lock during a read).
            in = new java.io.BufferedInputStream(new java.io.InputStream() {
                public int read() throws java.io.IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                public int read(byte[] b, int off, int len) throws java.io.IOException {
                    int n;
                    do {
                        n = ch.read(java.nio.ByteBuffer.wrap(b, off, len));
                    } while (n == 0);
                    return n;
                }
            }, 65536);
            out = new java.io.OutputStream() {
                public void write(int b) throws java.io.IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                public void write(byte[] b, int off, int len) throws java.io.IOException {
                    java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b, off, len);
                    while (buf.hasRemaining()) {
                        ch.write(buf);
                    }
                }
            };
            line("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}", true);
            line("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", false);
        }

        String post(String body) throws java.io.IOException {
            String answer = line(body, true);
            if (!answer.contains("\"result\"")) {
                throw new IllegalStateException("unexpected answer: " + answer);
            }
            return answer;
        }

        private String line(String body, boolean answered) throws java.io.IOException {
            out.write((body + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (!answered) {
                return "";
            }
            java.io.ByteArrayOutputStream sb = new java.io.ByteArrayOutputStream();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new java.io.EOFException("connection closed");
                }
                sb.write(c);
            }
            return sb.toString(java.nio.charset.StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws java.io.IOException {
            ch.close();
        }
    }

    /** A minimal blocking HTTP/1.1 client on one kept-alive connection (TCP with TCP_NODELAY, or a Unix socket). */
    static final class RawHttp implements AutoCloseable {
        final java.nio.channels.SocketChannel ch;
        final java.io.InputStream in;
        final java.io.OutputStream out;
        String lastContentType;
        String lastFraming;
        String session; // Mcp-Session-Id, when the server keeps sessions

        RawHttp(java.net.SocketAddress address) throws java.io.IOException {
            ch = java.nio.channels.SocketChannel.open(address);
            if (address instanceof java.net.InetSocketAddress) {
                ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
            }
            in = new java.io.BufferedInputStream(java.nio.channels.Channels.newInputStream(ch), 65536);
            out = java.nio.channels.Channels.newOutputStream(ch);
            send("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}");
            send("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}");
        }

        String post(String body) throws java.io.IOException {
            String answer = send(body);
            if (!answer.contains("\"result\"")) {
                throw new IllegalStateException("unexpected answer: " + answer);
            }
            return answer;
        }

        private String send(String body) throws java.io.IOException {
            byte[] b = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            String head = "POST " + ToolGateway.ENDPOINT + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Accept: application/json, text/event-stream\r\n" + (session == null ? "" : "Mcp-Session-Id: " + session + "\r\n")
                    + "Content-Length: " + b.length + "\r\n\r\n";
            byte[] h = head.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            byte[] all = Arrays.copyOf(h, h.length + b.length);
            System.arraycopy(b, 0, all, h.length, b.length);
            out.write(all);
            out.flush();
            String status = line();
            long length = -1;
            boolean chunked = false;
            for (String l = line(); !l.isEmpty(); l = line()) {
                String lower = l.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(l.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                } else if (lower.startsWith("mcp-session-id:")) {
                    session = l.substring(15).trim();
                } else if (lower.startsWith("content-type:")) {
                    lastContentType = l.substring(13).trim();
                }
            }
            lastFraming = chunked ? "chunked" : "Content-Length " + length;
            StringBuilder sb = new StringBuilder();
            if (chunked) {
                for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
                    sb.append(new String(in.readNBytes(size), java.nio.charset.StandardCharsets.UTF_8));
                    line();
                }
                line();
            } else if (length >= 0) {
                sb.append(new String(in.readNBytes((int) length), java.nio.charset.StandardCharsets.UTF_8));
            }
            if (!status.contains(" 200 ") && !status.contains(" 202 ")) {
                throw new IllegalStateException("unexpected answer " + status + ": " + sb);
            }
            return sb.toString();
        }

        private String line() throws java.io.IOException {
            StringBuilder sb = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new java.io.EOFException("connection closed");
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }

        @Override
        public void close() throws java.io.IOException {
            ch.close();
        }
    }

    static void server() throws Exception {
        McpSchema.Tool echo = McpSchema.Tool.builder().name("echo").description("echo")
                .inputSchema(Map.of("type", "object", "properties", Map.of("text", Map.of("type", "string")))).build();
        McpServer.sync(new StdioServerTransportProvider(McpJsonDefaults.getMapper()))
                .serverInfo("bench-connector", "1")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(SyncToolSpecification.builder().tool(echo).callHandler((ex, r) -> McpSchema.CallToolResult.builder()
                        .addTextContent(String.valueOf(r.arguments().get("text"))).build()).build())
                .build();
        Thread.currentThread().join();
    }
}
