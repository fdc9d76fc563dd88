package io.jenkins.plugins.agentgate.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.agentgate.core.profile.Connector;
import io.jenkins.plugins.agentgate.core.profile.McpTool;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A {@code url} connector: a real Streamable-HTTP MCP server (the SDK's servlet in Jetty) on loopback. */
@Timeout(120)
class RemoteConnectorTest {
    @TempDir
    Path tmp;

    Server remote;
    McpSyncServer mcp;
    int port;

    @BeforeEach
    void startRemote() throws Exception {
        HttpServletStreamableServerTransportProvider t = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(McpJsonDefaults.getMapper()).mcpEndpoint("/mcp").build();
        McpSchema.Tool upper = McpSchema.Tool.builder().name("upper").description("upper-cases its text")
                .inputSchema(Map.of("type", "object", "properties", Map.of("text", Map.of("type", "string")))).build();
        McpSchema.Tool drop = McpSchema.Tool.builder().name("drop_tables").description("never declared")
                .inputSchema(Map.of("type", "object")).build();
        mcp = McpServer.sync(t).serverInfo("remote-test", "1")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(SyncToolSpecification.builder().tool(upper).callHandler((ex, req) -> McpSchema.CallToolResult.builder()
                                .addTextContent(String.valueOf(req.arguments().get("text")).toUpperCase(java.util.Locale.ROOT)).build()).build(),
                        SyncToolSpecification.builder().tool(drop).callHandler((ex, req) -> McpSchema.CallToolResult.builder()
                                .addTextContent("dropped").build()).build())
                .build();
        remote = new Server();
        ServerConnector c = new ServerConnector(remote);
        c.setHost("127.0.0.1");
        c.setPort(0);
        remote.addConnector(c);
        ServletContextHandler ctx = new ServletContextHandler();
        ServletHolder h = new ServletHolder(t);
        h.setAsyncSupported(true);
        ctx.addServlet(h, "/mcp");
        remote.setHandler(ctx);
        remote.start();
        port = c.getLocalPort();
    }

    @AfterEach
    void stopRemote() throws Exception {
        mcp.close();
        remote.stop();
    }

    GatewayConfig config() {
        Connector c = new Connector("tracker", "remote", List.of(), "http://127.0.0.1:" + port + "/mcp", Map.of(), List.of(),
                Duration.ofSeconds(5));
        return new GatewayConfig("gw-remote", List.of(new McpTool("upper", "tracker", Map.of())), List.of(c),
                GatewayHarness.secrets(), tmp.resolve("runs"), GatewayConfig.DEFAULT_CALL_TIMEOUT, 100, 1 << 20, 1 << 20, null);
    }

    @Test
    void callsReachTheRemoteServerAndOnlyDeclaredToolsAreListed() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(config(), tmp)) {
            assertThat(h.agent.listTools().tools()).extracting(McpSchema.Tool::name).containsExactly("upper");
            assertThat(GatewayHarness.text(h.call("upper", Map.of("text", "shout")))).isEqualTo("SHOUT");
            assertThatThrownBy(() -> h.call("drop_tables", Map.of())).isInstanceOf(McpError.class);
            assertThat(h.gateway.records()).extracting(ToolCallRecord::verdict).containsExactly(ToolVerdict.ALLOWED, ToolVerdict.DENIED);
            assertThat(h.gateway.records().get(0).connector()).isEqualTo("tracker");
        }
    }

    @Test
    void aRemoteServerThatGoesAwayIsAFailedCall() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(config(), tmp)) {
            remote.stop();
            long start = System.nanoTime();
            assertThatThrownBy(() -> h.call("upper", Map.of("text", "x"))).isInstanceOf(McpError.class)
                    .hasMessageContaining("connector 'tracker' failed");
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5000 + 3000);
            assertThat(h.gateway.records()).extracting(ToolCallRecord::ruleId).containsExactly(ToolRules.CONNECTOR_FAILED);
        }
    }
}
