import io.jenkins.plugins.agentgate.core.egress.RelayBinary;
import io.jenkins.plugins.agentgate.core.gateway.GatewayConfig;
import io.jenkins.plugins.agentgate.core.gateway.ToolGateway;
import io.jenkins.plugins.agentgate.core.port.SecretSource;
import io.jenkins.plugins.agentgate.core.port.SecretSourceException;
import io.jenkins.plugins.agentgate.core.port.SecretValue;
import io.jenkins.plugins.agentgate.core.profile.Connector;
import io.jenkins.plugins.agentgate.core.profile.McpTool;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Tool gateway benchmark, host side: one gateway (the connector: the npm reference server
 * {@code @modelcontextprotocol/server-everything}, stdio, started by the gateway) behind the real relay on a loopback
 * port, exactly the sandbox's path (a container's loopback is just another loopback): client -TCP-> relay -Unix
 * socket-> gateway -stdio-> connector. The client side (bench.mjs, the official TypeScript SDK) rotates calls through
 * it with direct calls to two more instances of the same connector: over stdio, and serving Streamable HTTP itself.
 *
 * Usage (see bench/tool-gateway.sh): GatewayBench KIT_DIR CALLS WARMUP
 */
public class GatewayBench {
    public static void main(String[] args) throws Exception {
        Path kit = Path.of(args[0]).toAbsolutePath();
        int calls = Integer.parseInt(args[1]);
        int warmup = Integer.parseInt(args[2]);
        List<String> connector = List.of("node", kit.resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js").toString(),
                "stdio");
        SecretSource none = new SecretSource() {
            @Override
            public SecretValue resolve(String id) throws SecretSourceException {
                throw new SecretSourceException(id, "the benchmark has no credentials");
            }

            @Override
            public Set<String> ids() {
                return Set.of();
            }
        };
        Path base = Files.createTempDirectory("agentgate-gw-bench");
        GatewayConfig cfg = new GatewayConfig("bench", List.of(new McpTool("echo", "everything", Map.of())),
                List.of(new Connector("everything", "MCP reference server", connector, null, Map.of(), List.of(), Duration.ofSeconds(30))),
                none, base, Duration.ofSeconds(30), calls + warmup + 100, GatewayConfig.DEFAULT_MAX_RESULT_BYTES,
                GatewayConfig.DEFAULT_MAX_REQUEST_BYTES, null);
        Process relay = null;
        Process directHttp = null;
        int status;
        try (ToolGateway gateway = ToolGateway.start(cfg)) {
            Path relayBin = RelayBinary.bundled().installInto(Files.createDirectory(base.resolve("relay")));
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            relay = new ProcessBuilder(relayBin.toString(), "--listen", Integer.toString(port), "--socket",
                    gateway.socketPath().toString()).inheritIO().start();
            awaitListening(port);
            // The same connector program serving Streamable HTTP itself, on another loopback port.
            int httpPort;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                httpPort = s.getLocalPort();
            }
            ProcessBuilder http = new ProcessBuilder("node", connector.get(1), "streamableHttp").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            http.environment().put("PORT", Integer.toString(httpPort));
            directHttp = http.start();
            awaitListening(httpPort);
            List<String> client = new ArrayList<>(List.of("node", kit.resolve("bench.mjs").toString(),
                    "http://127.0.0.1:" + port + ToolGateway.ENDPOINT, "http://127.0.0.1:" + httpPort + "/mcp",
                    Integer.toString(calls), Integer.toString(warmup), "echo",
                    "{\"message\":\"benchmark\"}", "--"));
            client.addAll(connector);
            Process p = new ProcessBuilder(client).directory(kit.toFile()).inheritIO().start();
            if (!p.waitFor(30, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("the benchmark client did not finish within 30 minutes");
            }
            status = p.exitValue();
            System.err.println("gateway: " + gateway.summary());
        } finally {
            for (Process p : new Process[] {relay, directHttp}) {
                if (p != null) {
                    p.destroy();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            }
            try (Stream<Path> all = Files.walk(base)) {
                for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
        System.exit(status);
    }

    static void awaitListening(int port) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(10);
            }
        }
        throw new IllegalStateException("relay did not listen on " + port);
    }
}
