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
 * kind of connector, interleaved in one run. Both paths end at an SDK stdio MCP server (this file in --server mode);
 * the gateway path is the sandbox's: SDK client -HTTP/TCP-> relay -Unix socket-> gateway (decision, record)
 * -stdio-> connector. The direct path: SDK client -stdio-> connector.
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

            McpSchema.CallToolRequest req = new McpSchema.CallToolRequest("echo", Map.of("text", "x".repeat(64)));
            for (int i = 0; i < 2000; i++) { // warm-up, both paths
                viaGateway.callTool(req);
                direct.callTool(req);
            }
            System.out.printf("calls per round %d, rounds %d (interleaved)%n", calls, rounds);
            List<Double> addedMedians = new ArrayList<>();
            for (int r = 1; r <= rounds; r++) {
                long[] g = new long[calls];
                long[] d = new long[calls];
                for (int i = 0; i < calls; i++) {
                    long t0 = System.nanoTime();
                    direct.callTool(req);
                    long t1 = System.nanoTime();
                    viaGateway.callTool(req);
                    long t2 = System.nanoTime();
                    d[i] = t1 - t0;
                    g[i] = t2 - t1;
                }
                Arrays.sort(g);
                Arrays.sort(d);
                double added = (g[calls / 2] - d[calls / 2]) / 1e6;
                addedMedians.add(added);
                System.out.printf("round %d: direct median %.3f ms p90 %.3f ms | via gateway median %.3f ms p90 %.3f ms | added median %.3f ms%n",
                        r, d[calls / 2] / 1e6, d[calls * 9 / 10] / 1e6, g[calls / 2] / 1e6, g[calls * 9 / 10] / 1e6, added);
            }
            addedMedians.sort(Double::compare);
            System.out.printf("added latency per tools/call, median of round medians: %.3f ms (target <= 1 ms)%n",
                    addedMedians.get(addedMedians.size() / 2));
            long[] inside = gw.records().stream().mapToLong(x -> x.durationMillis()).sorted().toArray();
            System.out.printf("gateway records: %d, summary %s; inside the gateway (decision + connector call, whole ms): median %d ms, p90 %d ms%n",
                    gw.records().size(), gw.summary(), inside[inside.length / 2], inside[inside.length * 9 / 10]);
            viaGateway.closeGracefully();
            direct.closeGracefully();
        } finally {
            if (relay != null) {
                relay.destroyForcibly();
            }
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
