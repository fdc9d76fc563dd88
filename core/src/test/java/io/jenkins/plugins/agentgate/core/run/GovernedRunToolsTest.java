package io.jenkins.plugins.agentgate.core.run;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.execution.ExecutionClass;
import io.jenkins.plugins.agentgate.core.execution.RunRequest;
import io.jenkins.plugins.agentgate.core.gateway.GatewaySummary;
import io.jenkins.plugins.agentgate.core.gateway.ToolCallRecord;
import io.jenkins.plugins.agentgate.core.gateway.ToolVerdict;
import io.jenkins.plugins.agentgate.core.port.Command;
import io.jenkins.plugins.agentgate.core.port.CommandResult;
import io.jenkins.plugins.agentgate.core.port.CommandRunner;
import io.jenkins.plugins.agentgate.core.profile.CatalogParser;
import io.jenkins.plugins.agentgate.core.profile.ProfileCatalog;
import io.jenkins.plugins.agentgate.core.sandbox.DockerSandbox;
import io.jenkins.plugins.agentgate.core.sandbox.Mount;
import io.jenkins.plugins.agentgate.core.sandbox.MountValidator;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxSpecs;
import io.jenkins.plugins.agentgate.core.sandbox.ToolChannel;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the orchestrator uses the tool gateway seam (docker client scripted, gateway faked; the real ones run in
 * McpToolGatewayProviderTest and the cli module's ToolGatewayRunTest): asked only for plans with MCP tools, its channel
 * in the container, closed after the container and before the evidence, its report in the outcome on every path.
 */
class GovernedRunToolsTest {
    @TempDir
    Path tmp;
    final List<String> log = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<List<String>> creates = new java.util.concurrent.CopyOnWriteArrayList<>();
    int startExit;

    final CommandRunner docker = (Command c, OutputStream out, OutputStream err, Duration timeout) -> {
        String sub = c.argv().get(1).equals("container") || c.argv().get(1).equals("image") ? c.argv().get(1) + " " + c.argv().get(2)
                : c.argv().get(1);
        if (sub.equals("create") || sub.equals("start") || sub.equals("rm")) {
            log.add("docker " + sub);
        }
        if (sub.equals("create")) {
            creates.add(c.argv());
        }
        String answer = switch (sub) {
            case "version" -> "20.10.24\n";
            case "image inspect" -> "sha256:" + "b".repeat(64) + " []\n";
            case "create" -> "c".repeat(64) + "\n";
            case "container inspect" -> "exited " + startExit + " false\n";
            default -> "";
        };
        out.write(answer.getBytes(StandardCharsets.UTF_8));
        return new CommandResult(sub.equals("start") ? startExit : 0, false, Duration.ofMillis(1));
    };

    static final String CATALOG = """
            apiVersion: agentgate/v1
            classes:
              draft: tools
            connectors:
              - id: t
                command: [/usr/bin/true]
            profiles:
              - id: tools
                tools:
                  - name: echo
                    connector: t
              - id: plain
                tools: [git]
            """;

    /** A fake gateway: real directories for the validator, a report with one allowed and one denied call. */
    ToolGatewayProvider fake() {
        return ctx -> {
            log.add("tools.attach " + ctx.plan().effective().tools().mcp().get(0).name());
            Path sock = Files.createDirectories(tmp.resolve("gw/sock"));
            Path mcp = McpClientConfig.write(tmp.resolve("gw/mcp"), McpClientConfig.CONTAINER_PORT,
                    McpToolGatewayProvider.CONTAINER_RELAY, McpToolGatewayProvider.CONTAINER_STDIO_SOCKET);
            Path relay = Files.writeString(tmp.resolve("gw/relay"), "relay");
            ToolChannel ch = new ToolChannel(3129, "/.agentgate/tools/gateway.sock",
                    List.of(new Mount(sock, "/.agentgate/tools", true), new Mount(mcp, "/.agentgate/mcp", true)),
                    new Mount(relay, "/.agentgate/tools-relay", true), McpClientConfig.environment(3129));
            return new ToolGatewayProvider.Attachment() {
                boolean closed;

                @Override
                public ToolChannel channel() {
                    return ch;
                }

                @Override
                public void close() {
                    closed = true;
                    log.add("tools.close");
                }

                @Override
                public ToolReport report() {
                    log.add("tools.report " + (closed ? "after close" : "BEFORE CLOSE"));
                    Instant t = Instant.parse("2026-11-27T10:00:00Z");
                    return new ToolReport(List.of(
                            new ToolCallRecord(1, "echo", "t", "a".repeat(64), ToolVerdict.ALLOWED, "tool.allowed", "ok", 3, 20, t),
                            new ToolCallRecord(2, "rm_rf", "", "b".repeat(64), ToolVerdict.DENIED, "tool.not-declared", "no", 0, 0, t)),
                            new GatewaySummary(2, 1, 1, 0, 0), List.of("echo"), List.of());
                }
            };
        };
    }

    GovernedRun.Builder builder(ToolGatewayProvider tools) {
        return GovernedRun.builder(new DockerSandbox(docker)).specs(new SandboxSpecs(new MountValidator(List.of()))).scratch(tmp)
                .tools(tools)
                .evidence(outcome -> {
                    log.add("evidence.record " + outcome.status().id() + " tools=" + (outcome.tools() == null ? "none"
                            : outcome.tools().describe()));
                    return "bundle";
                });
    }

    RunOutcome run(GovernedRun r, String classProfile) throws Exception {
        Path ws = Files.createDirectories(tmp.resolve("ws"));
        ProfileCatalog catalog = CatalogParser.parse("catalog.yaml", CATALOG.replace("draft: tools", "draft: " + classProfile));
        return r.execute(new RunInput(catalog, RunRequest.builder(ExecutionClass.DRAFT).image("agentgate-example/busybox:1").build(),
                "task", ws, List.of("agent"), new ByteArrayOutputStream()));
    }

    @Test
    void aPlanWithMcpToolsRunsBehindTheGatewayWhichClosesBeforeTheEvidence() throws Exception {
        RunOutcome o = run(builder(fake()).build(), "tools");
        assertThat(o.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(log).containsExactly("tools.attach echo", "docker create", "docker start", "docker rm", "tools.close",
                "tools.report after close", "evidence.record succeeded tools=2 calls: 1 allowed, 1 denied (unauthorized), 0 failed");
        List<String> a = creates.get(0);
        assertThat(a.get(a.indexOf("--network") + 1)).isEqualTo("none");
        assertThat(a.get(a.indexOf("--entrypoint") + 1)).isEqualTo("/.agentgate/tools-relay");
        assertThat(a).contains("AGENTGATE_MCP_CONFIG", "AGENTGATE_MCP_URL").doesNotContain("HTTP_PROXY", "HTTPS_PROXY");
        assertThat(a.subList(a.indexOf("sha256:" + "b".repeat(64)) + 1, a.size())).containsExactly("--listen", "3129", "--socket",
                "/.agentgate/tools/gateway.sock", "--", "agent");
        assertThat(o.tools().unauthorized()).isEqualTo(1);
    }

    @Test
    void theReportReachesTheEvidenceWhenTheAgentFails() throws Exception {
        startExit = 7;
        RunOutcome o = run(builder(fake()).build(), "tools");
        assertThat(o.status()).isEqualTo(RunStatus.AGENT_FAILED);
        assertThat(log).endsWith("tools.close", "tools.report after close",
                "evidence.record agent-failed tools=2 calls: 1 allowed, 1 denied (unauthorized), 0 failed");
    }

    @Test
    void aGatewayThatDoesNotStartIsARuntimeErrorWithoutAContainer() throws Exception {
        RunOutcome o = run(builder(ctx -> {
            throw new java.io.IOException("connector 't' did not start: no such file");
        }).build(), "tools");
        assertThat(o.status()).isEqualTo(RunStatus.RUNTIME_ERROR);
        assertThat(o.message()).contains("connector 't' did not start");
        assertThat(log).containsExactly("evidence.record runtime-error tools=none");
    }

    @Test
    void withoutAProviderAPlanWithMcpToolsIsRefusedBeforeAnyContainer() throws Exception {
        RunOutcome o = run(builder(null).build(), "tools");
        assertThat(o.status()).isEqualTo(RunStatus.RUNTIME_ERROR);
        assertThat(o.message()).contains("profile tools grants MCP tools [echo]", "no tool gateway is attached",
                "McpToolGatewayProvider");
        assertThat(log).containsExactly("evidence.record runtime-error tools=none");
    }

    @Test
    void aPlanWithoutMcpToolsNeverAsksTheGateway() throws Exception {
        RunOutcome o = run(builder(fake()).build(), "plain");
        assertThat(o.status()).isEqualTo(RunStatus.SUCCEEDED);
        assertThat(o.tools()).isNull();
        assertThat(log).containsExactly("docker create", "docker start", "docker rm", "evidence.record succeeded tools=none");
        assertThat(creates.get(0)).doesNotContain("--entrypoint", "AGENTGATE_MCP_URL");
    }
}
