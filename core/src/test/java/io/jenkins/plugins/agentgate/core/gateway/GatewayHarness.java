package io.jenkins.plugins.agentgate.core.gateway;

import io.jenkins.plugins.agentgate.core.port.SecretSource;
import io.jenkins.plugins.agentgate.core.port.SecretSourceException;
import io.jenkins.plugins.agentgate.core.port.SecretValue;
import io.jenkins.plugins.agentgate.core.profile.Connector;
import io.jenkins.plugins.agentgate.core.profile.ConnectorCredential;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A gateway in front of a real stdio MCP connector ({@link TestMcpServer} in its own JVM), reached by the SDK's
 * client through the real relay binary (Java's HTTP client cannot dial a Unix socket).
 */
final class GatewayHarness implements AutoCloseable {
    static final String SECRET = "s3cr3t-connector-token-" + Long.toHexString(System.nanoTime());

    final ToolGateway gateway;
    final Process relay;
    final int port;
    final McpSyncClient agent;

    GatewayHarness(ToolGateway gateway, Process relay, int port, McpSyncClient agent) {
        this.gateway = gateway;
        this.relay = relay;
        this.port = port;
        this.agent = agent;
    }

    /** The test connector's command line: this JVM's java and test classpath. */
    static List<String> connectorCommand() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return List.of(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                TestMcpServer.class.getName());
    }

    static Connector testConnector(Duration callTimeout) {
        return new Connector("t", "test connector", connectorCommand(), null, Map.of("LOG_LEVEL", "warn"),
                List.of(new ConnectorCredential("conn-token", TestMcpServer.SECRET_ENV)), callTimeout);
    }

    static SecretSource secrets() {
        return new SecretSource() {
            @Override
            public SecretValue resolve(String id) throws SecretSourceException {
                if (!id.equals("conn-token")) {
                    throw new SecretSourceException(id, "unknown credential '" + id + "'");
                }
                return SecretValue.ofOwned(SECRET.getBytes(StandardCharsets.UTF_8));
            }

            @Override
            public Set<String> ids() {
                return Set.of("conn-token");
            }
        };
    }

    static GatewayHarness start(GatewayConfig config, Path tmp) throws Exception {
        ToolGateway g = ToolGateway.start(config);
        Process relay = null;
        try {
            Path relayBin = installRelay(tmp);
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            relay = new ProcessBuilder(relayBin.toString(), "--listen", Integer.toString(port), "--socket",
                    g.socketPath().toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            awaitListening(port);
            HttpClientStreamableHttpTransport t = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port)
                    .endpoint(ToolGateway.ENDPOINT).build();
            McpSyncClient agent = McpClient.sync(t).requestTimeout(Duration.ofSeconds(30))
                    .clientInfo(new McpSchema.Implementation("agentgate-test-agent", "1")).build();
            agent.initialize();
            return new GatewayHarness(g, relay, port, agent);
        } catch (Exception | Error e) {
            if (relay != null) {
                relay.destroyForcibly();
            }
            g.close();
            throw e;
        }
    }

    /**
     * The stdio path: the SDK's stdio client starts the real relay binary in {@code --stdio} mode as its "server"
     * process, the way an agent CLI starts what mcp.json names; the relay carries the lines to the gateway's stdio socket.
     */
    static GatewayHarness startStdio(GatewayConfig config, Path tmp) throws Exception {
        ToolGateway g = ToolGateway.start(config);
        try {
            Path relayBin = installRelay(tmp);
            StdioClientTransport t = new StdioClientTransport(ServerParameters.builder(relayBin.toString())
                    .args("--stdio", g.stdioSocketPath().toString()).build(), McpJsonDefaults.getMapper());
            McpSyncClient agent = McpClient.sync(t).requestTimeout(Duration.ofSeconds(30))
                    .clientInfo(new McpSchema.Implementation("agentgate-test-agent", "1")).build();
            agent.initialize();
            return new GatewayHarness(g, null, 0, agent);
        } catch (Exception | Error e) {
            g.close();
            throw e;
        }
    }

    static Path installRelay(Path dir) throws IOException {
        String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
        Path target = dir.resolve("agentgate-egress-relay");
        if (!Files.exists(target)) {
            try (InputStream in = GatewayHarness.class.getResourceAsStream(
                    "/io/jenkins/plugins/agentgate/core/egress/relay/" + arch + "/agentgate-egress-relay")) {
                if (in == null) {
                    throw new IllegalStateException("the core build did not produce the relay for " + arch);
                }
                Files.copy(in, target);
            }
            Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("r-x------"));
        }
        return target;
    }

    private static void awaitListening(int port) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(10);
            }
        }
        throw new IllegalStateException("relay did not listen on " + port);
    }

    McpSchema.CallToolResult call(String tool, Map<String, Object> args) {
        return agent.callTool(new McpSchema.CallToolRequest(tool, args));
    }

    static String text(McpSchema.CallToolResult r) {
        return r.content().stream().filter(c -> c instanceof McpSchema.TextContent)
                .map(c -> ((McpSchema.TextContent) c).text()).reduce("", String::concat);
    }

    @Override
    public void close() throws Exception {
        try {
            agent.closeGracefully();
        } catch (RuntimeException e) {
            // the gateway may be gone already
        }
        gateway.close();
        if (relay != null) {
            relay.destroy();
            relay.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
