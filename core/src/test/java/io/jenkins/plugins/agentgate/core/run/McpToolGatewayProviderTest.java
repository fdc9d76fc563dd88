package io.jenkins.plugins.agentgate.core.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.execution.WorkspaceAccess;
import io.jenkins.plugins.agentgate.core.gateway.GatewayConfig;
import io.jenkins.plugins.agentgate.core.gateway.ToolVerdict;
import io.jenkins.plugins.agentgate.core.policy.PolicyEngine;
import io.jenkins.plugins.agentgate.core.policy.PolicyResult;
import io.jenkins.plugins.agentgate.core.policy.RunPlan;
import io.jenkins.plugins.agentgate.core.port.SecretSource;
import io.jenkins.plugins.agentgate.core.port.SecretSourceException;
import io.jenkins.plugins.agentgate.core.port.SecretValue;
import io.jenkins.plugins.agentgate.core.profile.Connector;
import io.jenkins.plugins.agentgate.core.profile.ConnectorCredential;
import io.jenkins.plugins.agentgate.core.profile.DefaultCatalog;
import io.jenkins.plugins.agentgate.core.profile.McpTool;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;
import io.jenkins.plugins.agentgate.core.profile.ToolPolicy;
import io.jenkins.plugins.agentgate.core.sandbox.Mount;
import io.jenkins.plugins.agentgate.core.sandbox.ToolChannel;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production tool gateway provider with a real connector (the SDK test server in its own JVM): what the sandbox
 * side gets (mounts, relay, MCP client configuration, variables), that an MCP client reaches the gateway through the
 * real relay with exactly that configuration, and that closing leaves nothing behind and completes the report.
 */
class McpToolGatewayProviderTest {
    static final String TOKEN = "connector-token-" + Long.toHexString(System.nanoTime());

    @TempDir
    Path tmp;

    static List<String> connectorCommand() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1", "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), "io.jenkins.plugins.agentgate.core.gateway.TestMcpServer");
    }

    static final SecretSource SECRETS = new SecretSource() {
        @Override
        public SecretValue resolve(String id) throws SecretSourceException {
            if (!id.equals("conn-token")) {
                throw new SecretSourceException(id, "unknown credential '" + id + "'");
            }
            return SecretValue.ofOwned(TOKEN.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public Set<String> ids() {
            return Set.of("conn-token");
        }
    };

    RunContext context(List<String> connectorCommand) {
        RunRequest request = RunRequest.builder(ExecutionClass.DRAFT).image("agentgate-example/busybox:1")
                .workspace(WorkspaceAccess.READ_WRITE).build();
        PolicyResult decided = new PolicyEngine().decide(DefaultCatalog.get(), request);
        RunPlan p = decided.plan();
        SandboxProfile e = p.effective();
        Connector c = new Connector("t", "test connector", connectorCommand, null, Map.of(),
                List.of(new ConnectorCredential("conn-token", "TEST_CONNECTOR_TOKEN")), Duration.ofSeconds(20));
        ToolPolicy tools = new ToolPolicy(e.tools().allowed(), List.of(new McpTool("echo", "t", Map.of())), List.of(c));
        SandboxProfile withTools = new SandboxProfile(e.id(), e.version(), e.description(), e.image(), e.network(), e.filesystem(),
                tools, e.credentials(), e.limits(), e.approval(), e.rollback(), e.evidence());
        RunPlan plan = new RunPlan(p.executionClass(), p.classProfile(), withTools, p.image(), p.credentials(), p.requester());
        return new RunContext("r-tools-1", request, decided, plan, "task", "0".repeat(64), tmp.resolve("ws"), List.of("true"),
                Instant.now());
    }

    McpToolGatewayProvider provider(Duration callTimeout) {
        return new McpToolGatewayProvider(SECRETS, cfg -> new GatewayConfig(cfg.runId(), cfg.tools(), cfg.connectors(), cfg.secrets(),
                tmp, callTimeout, 100, 1 << 20, 1 << 20, cfg.listener()));
    }

    @Test
    void theSandboxSideIsReadOnlyMountsARelayPairAndTheMcpConfigurationAClientCanUse() throws Exception {
        ToolGatewayProvider.Attachment a = provider(Duration.ofSeconds(20)).attach(context(connectorCommand()));
        Process relay = null;
        try {
            ToolChannel ch = a.channel();
            assertThat(ch.port()).isEqualTo(3129);
            assertThat(ch.socket()).isEqualTo("/.agentgate/tools/gateway.sock");
            assertThat(ch.relayPair()).containsExactly("--listen", "3129", "--socket", "/.agentgate/tools/gateway.sock");
            assertThat(ch.mounts()).extracting(Mount::target).containsExactly("/.agentgate/tools", "/.agentgate/mcp");
            assertThat(ch.mounts()).allMatch(Mount::readOnly);
            assertThat(ch.relay().target()).isEqualTo("/.agentgate/tools-relay");
            assertThat(ch.environment()).containsOnlyKeys("AGENTGATE_MCP_CONFIG", "AGENTGATE_MCP_HTTP_CONFIG", "AGENTGATE_MCP_URL")
                    .containsEntry("AGENTGATE_MCP_URL", "http://127.0.0.1:3129/mcp");
            Path sockDir = ch.mounts().get(0).source();
            Path mcpDir = ch.mounts().get(1).source();
            assertThat(sockDir.resolve("gateway.sock")).exists();
            assertThat(sockDir.resolve("gateway-stdio.sock")).exists();
            assertThat(Files.isExecutable(ch.relay().source())).isTrue();
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(mcpDir.getParent()))).isEqualTo("rwx------");
            JsonNode cfg = new ObjectMapper().readTree(mcpDir.resolve("mcp.json").toFile());
            assertThat(cfg.at("/mcpServers/agentgate/command").asText()).isEqualTo("/.agentgate/tools-relay");
            assertThat(cfg.at("/mcpServers/agentgate/args").toString())
                    .isEqualTo("[\"--stdio\",\"/.agentgate/tools/gateway-stdio.sock\"]");
            JsonNode httpCfg = new ObjectMapper().readTree(mcpDir.resolve("mcp-http.json").toFile());
            assertThat(httpCfg.at("/mcpServers/agentgate/url").asText()).isEqualTo("http://127.0.0.1:3129/mcp");
            // nothing the sandbox can read holds the connector's credential
            try (Stream<Path> files = Stream.concat(Files.walk(mcpDir), Files.walk(sockDir))) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    assertThat(Files.readString(f, StandardCharsets.ISO_8859_1)).doesNotContain(TOKEN);
                }
            }

            // The mounted relay, run on the host, forwards the configured port to the mounted socket, like in the sandbox.
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            relay = new ProcessBuilder(ch.relay().source().toString(), "--listen", Integer.toString(port), "--socket",
                    sockDir.resolve("gateway.sock").toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            awaitListening(port);
            McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port)
                    .endpoint("/mcp").build()).requestTimeout(Duration.ofSeconds(30)).build();
            try {
                client.initialize();
                assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).containsExactly("echo");
                McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest("echo", Map.of("text", "hi")));
                assertThat(r.isError()).isNotEqualTo(Boolean.TRUE);
                McpSchema.CallToolResult no = null;
                try {
                    no = client.callTool(new McpSchema.CallToolRequest("token_digest", Map.of()));
                } catch (RuntimeException refused) {
                    // a JSON-RPC error is a refusal too
                }
                assertThat(no == null || Boolean.TRUE.equals(no.isError())).as("an undeclared tool is refused").isTrue();
            } finally {
                client.closeGracefully();
            }

            // The stdio form, as an agent CLI runs it: mcp.json's command and args, the container paths mapped to the mounts.
            List<String> argv = new ArrayList<>();
            argv.add(ch.relay().source().toString());
            cfg.at("/mcpServers/agentgate/args").forEach(x -> argv.add(x.asText().replace(McpToolGatewayProvider.CONTAINER_SOCKET_DIR,
                    sockDir.toString())));
            McpSyncClient stdio = McpClient.sync(new StdioClientTransport(ServerParameters.builder(argv.get(0))
                    .args(argv.subList(1, argv.size())).build(), McpJsonDefaults.getMapper()))
                    .requestTimeout(Duration.ofSeconds(30)).build();
            try {
                stdio.initialize();
                assertThat(stdio.listTools().tools()).extracting(McpSchema.Tool::name).containsExactly("echo");
                McpSchema.CallToolResult r = stdio.callTool(new McpSchema.CallToolRequest("echo", Map.of("text", "over stdio")));
                assertThat(r.isError()).isNotEqualTo(Boolean.TRUE);
            } finally {
                stdio.closeGracefully();
            }
        } finally {
            a.close();
            if (relay != null) {
                relay.destroy();
                relay.waitFor(5, TimeUnit.SECONDS);
            }
        }
        ToolReport report = a.report();
        assertThat(report.served()).containsExactly("echo");
        assertThat(report.records()).extracting(r -> r.tool() + " " + r.verdict())
                .containsExactly("echo " + ToolVerdict.ALLOWED, "token_digest " + ToolVerdict.DENIED, "echo " + ToolVerdict.ALLOWED);
        assertThat(report.unauthorized()).isEqualTo(1);
        assertThat(report.describe()).isEqualTo("3 calls: 2 allowed, 1 denied (unauthorized), 0 failed");
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("run directories left after close").isEmpty();
        }
    }

    @Test
    void aConnectorThatDoesNotStartLeavesNothingBehind() throws Exception {
        assertThatThrownBy(() -> provider(Duration.ofSeconds(3)).attach(context(List.of(tmp.resolve("no-such-connector").toString()))))
                .isInstanceOf(IOException.class);
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("run directories left").isEmpty();
        }
    }

    @Test
    void directoriesOfRunsThatDiedAreReapedByAgeOnly() throws Exception {
        Path old = Files.createDirectories(tmp.resolve("agentgate-tools-old/mcp"));
        Files.writeString(old.resolve("mcp.json"), "{}");
        Files.setLastModifiedTime(old.getParent(), java.nio.file.attribute.FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        Path fresh = Files.createDirectories(tmp.resolve("agentgate-tools-fresh"));
        Path other = Files.createDirectories(tmp.resolve("someone-else"));
        Files.setLastModifiedTime(other, java.nio.file.attribute.FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        assertThat(McpToolGatewayProvider.reapStale(tmp, Duration.ofHours(1))).isEqualTo(1);
        assertThat(old.getParent()).doesNotExist();
        assertThat(fresh).exists();
        assertThat(other).exists();
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
