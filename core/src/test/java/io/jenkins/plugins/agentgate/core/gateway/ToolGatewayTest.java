package io.jenkins.plugins.agentgate.core.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.jenkins.plugins.agentgate.core.json.Digests;
import io.jenkins.plugins.agentgate.core.profile.ArgumentConstraint;
import io.jenkins.plugins.agentgate.core.profile.Connector;
import io.jenkins.plugins.agentgate.core.profile.McpTool;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway with real parts: a real MCP server (the SDK's, in its own JVM) as stdio connector, the real relay
 * binary, and the SDK's client as the agent.
 */
@Timeout(120)
class ToolGatewayTest {
    @TempDir
    Path tmp;

    static List<McpTool> declared() {
        return List.of(
                new McpTool("echo", "t", Map.of()),
                new McpTool("read_file", "t", Map.of(
                        "path", new ArgumentConstraint(List.of("docs", "src"), List.of()),
                        "mode", new ArgumentConstraint(List.of(), List.of("fast", "full")))),
                new McpTool("token_digest", "t", Map.of()),
                new McpTool("env_names", "t", Map.of()),
                new McpTool("spawn_child", "t", Map.of()),
                new McpTool("big", "t", Map.of()),
                new McpTool("crash", "t", Map.of()),
                new McpTool("hang", "t", Map.of()),
                new McpTool("ghost", "t", Map.of())); // declared, but the connector does not offer it
    }

    GatewayConfig config(Duration callTimeout) {
        Connector c = GatewayHarness.testConnector(callTimeout);
        return new GatewayConfig("gw-test", declared(), List.of(c), GatewayHarness.secrets(), tmp.resolve("runs"),
                GatewayConfig.DEFAULT_CALL_TIMEOUT, 100, 4096, GatewayConfig.DEFAULT_MAX_REQUEST_BYTES, null);
    }

    @Test
    void listsOnlyAllowedToolsForwardsAllowedCallsAndRefusesTheRest() throws Exception {
        List<ToolCallRecord> heard = new CopyOnWriteArrayList<>();
        try (GatewayHarness h = GatewayHarness.start(config(Duration.ofSeconds(20)).withListener(heard::add), tmp)) {
            Set<String> listed = h.agent.listTools().tools().stream().map(McpSchema.Tool::name).collect(Collectors.toSet());
            assertThat(listed).containsExactlyInAnyOrder("echo", "read_file", "token_digest", "env_names", "spawn_child",
                    "big", "crash", "hang");
            assertThat(listed).doesNotContain("hidden_tool", "ghost");
            assertThat(h.gateway.missingTools()).containsExactly("ghost");
            // The connector's schema is what the agent sees.
            McpSchema.Tool readFile = h.agent.listTools().tools().stream().filter(t -> t.name().equals("read_file")).findFirst().orElseThrow();
            assertThat(String.valueOf(readFile.inputSchema().get("properties"))).contains("path", "mode");

            McpSchema.CallToolResult ok = h.call("echo", Map.of("text", "hello"));
            assertThat(ok.isError()).isNotEqualTo(Boolean.TRUE);
            assertThat(GatewayHarness.text(ok)).isEqualTo("hello");

            assertThatThrownBy(() -> h.call("hidden_tool", Map.of()))
                    .isInstanceOf(McpError.class)
                    .satisfies(e -> assertThat(((McpError) e).getJsonRpcError().code()).isEqualTo(McpSchema.ErrorCodes.INVALID_PARAMS));
            assertThatThrownBy(() -> h.call("ghost", Map.of())).isInstanceOf(McpError.class);

            List<ToolCallRecord> r = h.gateway.records();
            assertThat(r).extracting(ToolCallRecord::tool).containsExactly("echo", "hidden_tool", "ghost");
            assertThat(r.get(0).verdict()).isEqualTo(ToolVerdict.ALLOWED);
            assertThat(r.get(0).ruleId()).isEqualTo(ToolRules.ALLOWED);
            assertThat(r.get(0).connector()).isEqualTo("t");
            assertThat(r.get(0).resultBytes()).isPositive();
            assertThat(r.get(0).argumentsSha256()).isEqualTo(Digests.sha256Hex("{\"text\":\"hello\"}"));
            assertThat(r.get(1).verdict()).isEqualTo(ToolVerdict.DENIED);
            assertThat(r.get(1).ruleId()).isEqualTo(ToolRules.NOT_DECLARED);
            assertThat(r.get(1).connector()).isEmpty();
            assertThat(r.get(2).verdict()).isEqualTo(ToolVerdict.DENIED);
            assertThat(r.get(2).ruleId()).isEqualTo(ToolRules.NOT_OFFERED);
            assertThat(r).extracting(ToolCallRecord::sequence).containsExactly(1L, 2L, 3L);
            assertThat(h.gateway.summary()).isEqualTo(new GatewaySummary(3, 1, 2, 0, 0));
            assertThat(heard).containsExactlyInAnyOrderElementsOf(r);
        }
    }

    /**
     * The wire as an agent's HTTP client sees it: every POST gets one application/json body (no SSE stream, no session
     * id to carry), sent whole with a Content-Length; GET (a server-to-client stream) is refused with 405, which
     * Streamable-HTTP clients treat as "no stream offered". Refusals still arrive as JSON-RPC errors and records.
     */
    @Test
    void answersEveryRequestAsOneJsonBodyWithoutSessionAndRefusesGet() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(config(Duration.ofSeconds(20)), tmp);
             java.nio.channels.SocketChannel ch = java.nio.channels.SocketChannel.open(java.net.UnixDomainSocketAddress.of(h.gateway.socketPath()))) {
            java.io.InputStream in = java.nio.channels.Channels.newInputStream(ch);
            java.io.OutputStream out = java.nio.channels.Channels.newOutputStream(ch);

            RawAnswer init = RawAnswer.exchange(in, out, "POST", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
                    + "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"raw\",\"version\":\"1\"}}}");
            assertThat(init.status()).isEqualTo(200);
            assertThat(init.headers()).containsKey("content-length").doesNotContainKey("mcp-session-id")
                    .doesNotContainKey("transfer-encoding");
            assertThat(init.headers().get("content-type")).startsWith("application/json");
            assertThat(init.body()).contains("\"serverInfo\"", "agent-gate-gateway");

            RawAnswer call = RawAnswer.exchange(in, out, "POST",
                    "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"hi\"}}}");
            assertThat(call.status()).isEqualTo(200);
            assertThat(call.headers().get("content-type")).startsWith("application/json");
            assertThat(call.body()).contains("\"id\":2", "\"result\"", "\"text\":\"hi\"");

            RawAnswer unknown = RawAnswer.exchange(in, out, "POST",
                    "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"hidden_tool\",\"arguments\":{}}}");
            assertThat(unknown.status()).isEqualTo(200);
            assertThat(unknown.body()).contains("\"id\":3", "\"error\"", "\"code\":" + McpSchema.ErrorCodes.INVALID_PARAMS);

            RawAnswer get = RawAnswer.exchange(in, out, "GET", null);
            assertThat(get.status()).isEqualTo(405);

            assertThat(h.gateway.records()).extracting(ToolCallRecord::tool, ToolCallRecord::verdict)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("echo", ToolVerdict.ALLOWED),
                            org.assertj.core.groups.Tuple.tuple("hidden_tool", ToolVerdict.DENIED));
        }
    }

    /** One HTTP/1.1 exchange on a kept-alive connection, read by Content-Length (or chunks). */
    record RawAnswer(int status, Map<String, String> headers, String body) {
        static RawAnswer exchange(java.io.InputStream in, java.io.OutputStream out, String method, String json) throws java.io.IOException {
            byte[] b = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + ToolGateway.ENDPOINT + " HTTP/1.1\r\nHost: localhost\r\nAccept: application/json, text/event-stream\r\n"
                    + (json == null ? "" : "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\n") + "\r\n";
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.flush();
            int status = Integer.parseInt(line(in).split(" ")[1]);
            Map<String, String> headers = new java.util.HashMap<>();
            for (String l = line(in); !l.isEmpty(); l = line(in)) {
                int colon = l.indexOf(':');
                headers.put(l.substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT), l.substring(colon + 1).trim());
            }
            StringBuilder body = new StringBuilder();
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                for (int n = Integer.parseInt(line(in).trim(), 16); n > 0; n = Integer.parseInt(line(in).trim(), 16)) {
                    body.append(new String(in.readNBytes(n), StandardCharsets.UTF_8));
                    line(in);
                }
                line(in);
            } else if (headers.containsKey("content-length")) {
                body.append(new String(in.readNBytes(Integer.parseInt(headers.get("content-length"))), StandardCharsets.UTF_8));
            }
            return new RawAnswer(status, headers, body.toString());
        }

        private static String line(java.io.InputStream in) throws java.io.IOException {
            StringBuilder sb = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new java.io.EOFException("connection closed after: " + sb);
                }
                if (c != '\r') {
                    sb.append((char) c);
                }
            }
            return sb.toString();
        }
    }

    @Test
    void argumentsOutsideTheirConstraintsNeverReachTheConnector() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(config(Duration.ofSeconds(20)), tmp)) {
            assertThat(GatewayHarness.text(h.call("read_file", Map.of("path", "docs/a.md", "mode", "fast"))))
                    .isEqualTo("content of docs/a.md");
            record Case(Map<String, Object> args, String rule) {}
            List<Case> cases = List.of(
                    new Case(Map.of("path", "../etc/passwd", "mode", "fast"), ToolRules.ARGUMENT_PREFIX),
                    new Case(Map.of("path", "docs/../../etc/passwd", "mode", "fast"), ToolRules.ARGUMENT_PREFIX),
                    new Case(Map.of("path", "/etc/passwd", "mode", "fast"), ToolRules.ARGUMENT_PREFIX),
                    new Case(Map.of("path", "docsx/a.md", "mode", "fast"), ToolRules.ARGUMENT_PREFIX),
                    new Case(Map.of("path", "docs/a.md", "mode", "slow"), ToolRules.ARGUMENT_VALUE),
                    new Case(Map.of("mode", "fast"), ToolRules.ARGUMENT_MISSING),
                    new Case(Map.of("path", 5, "mode", "fast"), ToolRules.ARGUMENT_TYPE));
            for (Case c : cases) {
                McpSchema.CallToolResult r = h.call("read_file", c.args());
                assertThat(r.isError()).as("%s", c).isTrue();
                assertThat(GatewayHarness.text(r)).as("%s", c).contains("Agent Gate refused").contains(c.rule())
                        .doesNotContain("content of");
            }
            List<ToolCallRecord> records = h.gateway.records();
            assertThat(records).hasSize(1 + cases.size());
            assertThat(records.get(0).verdict()).isEqualTo(ToolVerdict.ALLOWED);
            assertThat(records.subList(1, records.size())).extracting(ToolCallRecord::ruleId)
                    .containsExactlyElementsOf(cases.stream().map(Case::rule).toList());
            assertThat(records.subList(1, records.size())).allMatch(x -> x.verdict() == ToolVerdict.DENIED && x.resultBytes() == 0);
            assertThat(h.gateway.summary().denied()).isEqualTo(cases.size());
        }
    }

    @Test
    void theCredentialIsInTheConnectorsEnvironmentButNeverOnAnArgv() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(config(Duration.ofSeconds(20)), tmp)) {
            String digest = GatewayHarness.text(h.call("token_digest", Map.of()));
            assertThat(digest).isEqualTo(Digests.sha256Hex(GatewayHarness.SECRET));

            List<ProcessHandle> procs = h.gateway.connectorProcesses();
            assertThat(procs).hasSize(1);
            long pid = procs.get(0).pid();
            String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline"), StandardCharsets.ISO_8859_1);
            assertThat(cmdline).contains(TestMcpServer.class.getName()).doesNotContain(GatewayHarness.SECRET);
            String environ = Files.readString(Path.of("/proc/" + pid + "/environ"), StandardCharsets.ISO_8859_1);
            assertThat(environ.split("\0")).contains(TestMcpServer.SECRET_ENV + "=" + GatewayHarness.SECRET, "LOG_LEVEL=warn");
            // Neither this JVM (the gateway) nor the relay carries it on its command line.
            assertThat(Files.readString(Path.of("/proc/self/cmdline"), StandardCharsets.ISO_8859_1)).doesNotContain(GatewayHarness.SECRET);
            assertThat(Files.readString(Path.of("/proc/" + h.relay.pid() + "/cmdline"), StandardCharsets.ISO_8859_1))
                    .doesNotContain(GatewayHarness.SECRET);
            // Only the base variables, the catalog's and the credential: not the gateway JVM's whole environment.
            Set<String> names = Set.of(GatewayHarness.text(h.call("env_names", Map.of())).split(","));
            Set<String> expected = new java.util.HashSet<>(ConnectorClient.BASE_ENV);
            expected.addAll(List.of("LOG_LEVEL", TestMcpServer.SECRET_ENV));
            assertThat(expected).containsAll(names);
            // Records hold digests, never argument or result content.
            assertThat(h.gateway.records().toString()).doesNotContain(GatewayHarness.SECRET);
        }
    }

    @Test
    void aConnectorThatCrashesMidCallIsAFailedCallNotAHang() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(config(Duration.ofSeconds(3)), tmp)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> h.call("crash", Map.of())).isInstanceOf(McpError.class)
                    .hasMessageContaining("connector 't' failed")
                    .satisfies(e -> assertThat(((McpError) e).getJsonRpcError().code()).isEqualTo(McpSchema.ErrorCodes.INTERNAL_ERROR));
            long crashMillis = (System.nanoTime() - start) / 1_000_000;
            // Noticed when the process dies, well before the 3 s call timeout.
            assertThat(crashMillis).as("answered within the call timeout").isLessThan(3000);
            // The connector is gone: later calls fail too, each within the timeout.
            assertThatThrownBy(() -> h.call("echo", Map.of("text", "again"))).isInstanceOf(McpError.class);
            List<ToolCallRecord> r = h.gateway.records();
            assertThat(r).extracting(ToolCallRecord::verdict).containsExactly(ToolVerdict.FAILED, ToolVerdict.FAILED);
            assertThat(r).extracting(ToolCallRecord::ruleId).containsOnly(ToolRules.CONNECTOR_FAILED);
            assertThat(h.gateway.summary()).isEqualTo(new GatewaySummary(2, 0, 0, 2, 0));
        }
    }

    @Test
    void aHangingConnectorFailsTheCallAtTheTimeout() throws Exception {
        try (GatewayHarness h = GatewayHarness.start(config(Duration.ofSeconds(2)), tmp)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> h.call("hang", Map.of())).isInstanceOf(McpError.class);
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(millis).isBetween(1500L, 2000L + 3000L);
            // The connector itself still answers other calls.
            assertThat(GatewayHarness.text(h.call("echo", Map.of("text", "still here")))).isEqualTo("still here");
            assertThat(h.gateway.records()).extracting(ToolCallRecord::verdict).containsExactly(ToolVerdict.FAILED, ToolVerdict.ALLOWED);
        }
    }

    @Test
    void resultsOverTheLimitAndRecordsOverTheLimitAreBounded() throws Exception {
        GatewayConfig c = config(Duration.ofSeconds(20)).withLimits(3, 2048, GatewayConfig.DEFAULT_MAX_REQUEST_BYTES);
        try (GatewayHarness h = GatewayHarness.start(c, tmp)) {
            assertThat(GatewayHarness.text(h.call("big", Map.of("n", 100)))).hasSize(100);
            assertThatThrownBy(() -> h.call("big", Map.of("n", 5000))).isInstanceOf(McpError.class)
                    .hasMessageContaining("limit");
            for (int i = 0; i < 3; i++) {
                h.call("echo", Map.of("text", "n" + i));
            }
            assertThat(h.gateway.records()).hasSize(3);
            assertThat(h.gateway.records().get(1).ruleId()).isEqualTo(ToolRules.LIMIT);
            assertThat(h.gateway.summary()).isEqualTo(new GatewaySummary(5, 4, 0, 1, 2));
        }
    }

    @Test
    void closeEndsConnectorTreesThreadsAndTheSocketAndIsIdempotent() throws Exception {
        Set<String> threadsBefore = threadNames();
        GatewayHarness h = GatewayHarness.start(config(Duration.ofSeconds(20)), tmp);
        long grandchild = Long.parseLong(GatewayHarness.text(h.call("spawn_child", Map.of())));
        ProcessHandle connector = h.gateway.connectorProcesses().get(0);
        assertThat(ProcessHandle.of(grandchild)).hasValueSatisfying(p -> assertThat(p.isAlive()).isTrue());
        Path runDir = h.gateway.runDirectory();
        Path socket = h.gateway.socketPath();
        assertThat(Files.getPosixFilePermissions(runDir)).containsExactlyInAnyOrder(
                java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE,
                java.nio.file.attribute.PosixFilePermission.OWNER_EXECUTE);
        assertThat(socket).exists();

        h.close();
        List<ToolCallRecord> after = h.gateway.records();
        h.gateway.close();
        h.gateway.close();

        assertThat(after).hasSize(1);
        assertThat(h.gateway.records()).isEqualTo(after);
        assertThat(h.gateway.isOpen()).isFalse();
        assertThat(connector.isAlive()).isFalse();
        assertThat(ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false)).as("grandchild sleep").isFalse();
        assertThat(runDir).doesNotExist();
        // Our threads are gone (the SDK's reactor pools are shared, daemon and time out on their own), and no thread
        // that would keep a JVM alive is left behind (the SDK's SSE server transport left a non-daemon session sweeper).
        List<String> leaked = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Set<String> nonDaemon = Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && !t.isDaemon())
                    .map(Thread::getName).collect(Collectors.toSet());
            leaked = threadNames().stream().filter(n -> !threadsBefore.contains(n))
                    .filter(n -> n.contains("agentgate-gateway") || n.startsWith("Scheduler-") || n.startsWith("qtp")
                            || nonDaemon.contains(n)).toList();
            if (leaked.isEmpty()) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(leaked).isEmpty();
    }

    static Set<String> threadNames() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName).collect(Collectors.toSet());
    }

    @Test
    void aConnectorThatCannotStartFailsStartQuicklyAndLeavesNothing() throws Exception {
        for (List<String> command : List.of(List.of("/nonexistent/agentgate-connector"), List.of("agentgate-no-such-program"),
                List.of("sh", "-c", "exit 3"))) {
            Connector bad = new Connector("t", "", command, null, Map.of(), List.of(), Duration.ofSeconds(3));
            GatewayConfig c = new GatewayConfig("gw-bad", List.of(new McpTool("echo", "t", Map.of())), List.of(bad),
                    GatewayHarness.secrets(), tmp.resolve("runs"), Duration.ofSeconds(5), 10, 1024, 1024, null);
            long start = System.nanoTime();
            assertThatThrownBy(() -> ToolGateway.start(c)).as("%s", command).isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("connector 't' did not start");
            assertThat((System.nanoTime() - start) / 1_000_000).as("%s fails before the 30 s start timeout", command).isLessThan(10_000);
            try (var dirs = Files.list(tmp.resolve("runs"))) {
                assertThat(dirs.toList()).isEmpty();
            }
        }
    }
}
