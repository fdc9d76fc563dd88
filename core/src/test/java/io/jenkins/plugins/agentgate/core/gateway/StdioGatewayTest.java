package io.jenkins.plugins.agentgate.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.agentgate.core.json.Digests;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's stdio endpoint with real parts: the SDK's stdio client starts the real relay binary in {@code --stdio}
 * mode (as an agent CLI starts what mcp.json names), the relay carries the lines to the gateway's stdio socket, and a
 * real MCP server (the SDK's, in its own JVM) is the connector. The decisions and records are the HTTP endpoint's.
 */
@Timeout(120)
class StdioGatewayTest {
    @TempDir
    Path tmp;

    GatewayConfig config(Duration callTimeout) {
        return new GatewayConfig("gw-stdio", ToolGatewayTest.declared(), List.of(GatewayHarness.testConnector(callTimeout)),
                GatewayHarness.secrets(), tmp.resolve("runs"), GatewayConfig.DEFAULT_CALL_TIMEOUT, 100, 4096,
                GatewayConfig.DEFAULT_MAX_REQUEST_BYTES, null);
    }

    @Test
    void throughTheRelaysStdioBridgeTheAllowlistConstraintsAndRecordsHold() throws Exception {
        try (GatewayHarness h = GatewayHarness.startStdio(config(Duration.ofSeconds(20)), tmp)) {
            assertThat(h.gateway.stdioSocketPath()).hasFileName(ToolGateway.STDIO_SOCKET_NAME)
                    .hasParent(h.gateway.socketDirectory());
            Set<String> listed = h.agent.listTools().tools().stream().map(McpSchema.Tool::name).collect(Collectors.toSet());
            assertThat(listed).containsExactlyInAnyOrder("echo", "read_file", "token_digest", "env_names", "spawn_child",
                    "big", "crash", "hang");

            McpSchema.CallToolResult ok = h.call("echo", Map.of("text", "hello"));
            assertThat(ok.isError()).isNotEqualTo(Boolean.TRUE);
            assertThat(GatewayHarness.text(ok)).isEqualTo("hello");

            assertThatThrownBy(() -> h.call("hidden_tool", Map.of())).isInstanceOf(McpError.class);
            assertThatThrownBy(() -> h.call("ghost", Map.of())).isInstanceOf(McpError.class);

            McpSchema.CallToolResult refused = h.call("read_file", Map.of("path", "../etc/passwd", "mode", "fast"));
            assertThat(refused.isError()).isTrue();
            assertThat(GatewayHarness.text(refused)).contains("Agent Gate refused", ToolRules.ARGUMENT_PREFIX)
                    .doesNotContain("content of");
            assertThat(GatewayHarness.text(h.call("read_file", Map.of("path", "docs/a.md", "mode", "full"))))
                    .isEqualTo("content of docs/a.md");

            List<ToolCallRecord> r = h.gateway.records();
            assertThat(r).extracting(ToolCallRecord::tool).containsExactly("echo", "hidden_tool", "ghost", "read_file", "read_file");
            assertThat(r).extracting(ToolCallRecord::verdict).containsExactly(ToolVerdict.ALLOWED, ToolVerdict.DENIED,
                    ToolVerdict.DENIED, ToolVerdict.DENIED, ToolVerdict.ALLOWED);
            assertThat(r).extracting(ToolCallRecord::ruleId).containsExactly(ToolRules.ALLOWED, ToolRules.NOT_DECLARED,
                    ToolRules.NOT_OFFERED, ToolRules.ARGUMENT_PREFIX, ToolRules.ALLOWED);
            assertThat(r.get(0).argumentsSha256()).isEqualTo(Digests.sha256Hex("{\"text\":\"hello\"}"));
            assertThat(r.get(0).resultBytes()).isPositive();
            assertThat(r.get(3).resultBytes()).isZero();
            assertThat(h.gateway.summary()).isEqualTo(new GatewaySummary(5, 2, 3, 0, 0));
        }
    }

    @Test
    void aConnectorCrashIsAFailedCallOnTheStdioPathToo() throws Exception {
        try (GatewayHarness h = GatewayHarness.startStdio(config(Duration.ofSeconds(3)), tmp)) {
            assertThatThrownBy(() -> h.call("crash", Map.of())).isInstanceOf(McpError.class)
                    .hasMessageContaining("connector 't' failed");
            assertThat(h.gateway.records()).extracting(ToolCallRecord::verdict).containsExactly(ToolVerdict.FAILED);
            assertThat(h.gateway.records()).extracting(ToolCallRecord::ruleId).containsExactly(ToolRules.CONNECTOR_FAILED);
        }
    }

    /** Sessions are bounded: the connection over the limit is closed at once, the others keep working. */
    @Test
    void stdioSessionsAreBoundedAndAllEndWithTheGatewayWithoutLeakingThreads() throws Exception {
        Set<String> threadsBefore = ToolGatewayTest.threadNames();
        ToolGateway g = ToolGateway.start(config(Duration.ofSeconds(20)));
        List<SocketChannel> open = new ArrayList<>();
        try {
            for (int i = 0; i < ToolGateway.MAX_STDIO_SESSIONS; i++) {
                SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(g.stdioSocketPath()));
                open.add(ch);
                assertThat(exchange(ch, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
                        + "\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}"))
                        .contains("agent-gate-gateway");
                // The SDK's session serves requests once the client says it is initialized, as every client does.
                ch.write(ByteBuffer.wrap("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n"
                        .getBytes(StandardCharsets.UTF_8)));
            }
            try (SocketChannel over = SocketChannel.open(UnixDomainSocketAddress.of(g.stdioSocketPath()))) {
                assertThat(readEnd(over)).as("the connection over the limit is closed").isEqualTo(-1);
            }
            // The first session still answers, and an unknown tool there is a recorded denial.
            assertThat(exchange(open.get(0), "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":"
                    + "{\"name\":\"hidden_tool\",\"arguments\":{}}}")).contains("\"error\"");
            assertThat(g.records()).extracting(ToolCallRecord::ruleId).containsExactly(ToolRules.NOT_DECLARED);
        } finally {
            g.close();
        }
        Path runDir = g.runDirectory();
        for (SocketChannel ch : open) {
            assertThat(readEnd(ch)).as("the gateway ended the session").isEqualTo(-1);
            ch.close();
        }
        assertThat(runDir).doesNotExist();
        List<String> leaked = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Set<String> nonDaemon = Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && !t.isDaemon())
                    .map(Thread::getName).collect(Collectors.toSet());
            leaked = ToolGatewayTest.threadNames().stream().filter(n -> !threadsBefore.contains(n))
                    .filter(n -> n.contains("agentgate-gateway") || nonDaemon.contains(n)).toList();
            if (leaked.isEmpty()) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(leaked).isEmpty();
        assertThat(Files.exists(g.stdioSocketPath())).isFalse();
    }

    /** What a read sees: -1 at the end of the connection (a reset is an end too), else the byte count. */
    private static int readEnd(SocketChannel ch) throws Exception {
        try {
            return ch.read(ByteBuffer.allocate(16));
        } catch (java.net.SocketException e) {
            return -1;
        }
    }

    /** Sends one line and reads one answer line. */
    private static String exchange(SocketChannel ch, String json) throws Exception {
        ch.write(ByteBuffer.wrap((json + "\n").getBytes(StandardCharsets.UTF_8)));
        StringBuilder sb = new StringBuilder();
        ByteBuffer one = ByteBuffer.allocate(1);
        while (true) {
            one.clear();
            if (ch.read(one) < 0) {
                throw new java.io.EOFException("closed after: " + sb);
            }
            char c = (char) one.get(0);
            if (c == '\n') {
                return sb.toString();
            }
            sb.append(c);
        }
    }
}
