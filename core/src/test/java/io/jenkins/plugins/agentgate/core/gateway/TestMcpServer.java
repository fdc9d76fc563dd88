package io.jenkins.plugins.agentgate.core.gateway;

import io.jenkins.plugins.agentgate.core.json.Digests;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpServerFeatures.SyncToolSpecification;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.StdioServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import java.util.List;
import java.util.Map;

/**
 * A real MCP server written with the SDK, run by the tests as a stdio connector
 * ({@code java -cp <test classpath> ...TestMcpServer}). Its tools exercise what the gateway must handle.
 */
public final class TestMcpServer {
    public static final String SECRET_ENV = "TEST_CONNECTOR_TOKEN";

    private TestMcpServer() {}

    public static void main(String[] args) throws Exception {
        McpJsonMapper json = McpJsonDefaults.getMapper();
        McpSyncServer server = McpServer.sync(new StdioServerTransportProvider(json))
                .serverInfo("agentgate-test-connector", "1")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).build())
                .tools(List.of(
                        tool("echo", "returns its text", Map.of("text", Map.of("type", "string")),
                                a -> String.valueOf(a.get("text"))),
                        tool("read_file", "pretends to read a file", Map.of("path", Map.of("type", "string"),
                                "mode", Map.of("type", "string")), a -> "content of " + a.get("path")),
                        tool("token_digest", "SHA-256 of the connector's credential variable", Map.of(),
                                a -> {
                                    String v = System.getenv(SECRET_ENV);
                                    return v == null ? "absent" : Digests.sha256Hex(v);
                                }),
                        tool("env_names", "names of the connector's environment variables", Map.of(),
                                a -> String.join(",", new java.util.TreeSet<>(System.getenv().keySet()))),
                        tool("spawn_child", "starts a long-lived child process (for process-tree tests)", Map.of(),
                                a -> {
                                    try {
                                        Process p = new ProcessBuilder("sleep", "300").start();
                                        return Long.toString(p.pid());
                                    } catch (java.io.IOException e) {
                                        return "failed: " + e.getMessage();
                                    }
                                }),
                        tool("big", "returns n characters", Map.of("n", Map.of("type", "integer")),
                                a -> "x".repeat(((Number) a.get("n")).intValue())),
                        tool("crash", "the server exits in the middle of the call", Map.of(), a -> {
                            Runtime.getRuntime().halt(3);
                            return "unreachable";
                        }),
                        tool("hang", "never answers", Map.of(), a -> {
                            try {
                                Thread.sleep(600_000);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            return "late";
                        }),
                        tool("hidden_tool", "offered by the connector, never declared by a profile", Map.of(),
                                a -> "should never be reached through the gateway")))
                .build();
        // The transport reads stdin on its own threads; stay alive until the client closes stdin or kills us.
        Thread.currentThread().join();
        server.close();
    }

    private static SyncToolSpecification tool(String name, String description, Map<String, Object> properties,
                                              java.util.function.Function<Map<String, Object>, String> body) {
        McpSchema.Tool tool = McpSchema.Tool.builder().name(name).description(description)
                .inputSchema(Map.of("type", "object", "properties", properties)).build();
        return SyncToolSpecification.builder().tool(tool)
                .callHandler((exchange, request) -> McpSchema.CallToolResult.builder()
                        .addTextContent(body.apply(request.arguments() == null ? Map.of() : request.arguments())).build())
                .build();
    }
}
