package io.jenkins.plugins.agentgate.core.gateway;

import io.jenkins.plugins.agentgate.core.policy.RunPlan;
import io.jenkins.plugins.agentgate.core.port.SecretSource;
import io.jenkins.plugins.agentgate.core.profile.Connector;
import io.jenkins.plugins.agentgate.core.profile.McpTool;
import io.jenkins.plugins.agentgate.core.profile.ToolPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Everything one run's tool gateway needs.
 *
 * @param runId              run id; names the gateway's threads (1-64 of letters, digits, '.', '_', '-')
 * @param tools              the plan's MCP tool grants ({@code ToolPolicy.mcp()})
 * @param connectors         the connectors those tools use ({@code ToolPolicy.connectors()})
 * @param secrets            resolves connector credentials on the host
 * @param runDirectoryParent where the per-run directory (mode 0700, holding the socket) is created; a short local path
 * @param callTimeout        upper bound of any call (a connector's own {@code callTimeout} applies when shorter)
 * @param maxRecords         records kept; later calls are still counted ({@link GatewaySummary#droppedRecords()})
 * @param maxResultBytes     largest JSON result passed back to the agent; a larger one is a failed call
 * @param maxRequestBytes    largest JSON-RPC request body the gateway reads
 * @param listener           called with each record as it is completed (progress output); may be null
 */
public record GatewayConfig(String runId, List<McpTool> tools, List<Connector> connectors, SecretSource secrets,
                            Path runDirectoryParent, Duration callTimeout, int maxRecords, long maxResultBytes,
                            int maxRequestBytes, Consumer<ToolCallRecord> listener) {
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_RECORDS = 10_000;
    public static final long DEFAULT_MAX_RESULT_BYTES = 8L << 20;
    public static final int DEFAULT_MAX_REQUEST_BYTES = 1 << 20;

    public GatewayConfig {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(secrets, "secrets");
        Objects.requireNonNull(runDirectoryParent, "runDirectoryParent");
        Objects.requireNonNull(callTimeout, "callTimeout");
        if (!RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("gateway run id '" + runId + "' is invalid; expected 1-64 of [A-Za-z0-9._-]");
        }
        // Validates the pairing (every tool's connector given, names unique) and keeps only connectors in use.
        ToolPolicy checked = new ToolPolicy(List.of(), tools, connectors);
        tools = checked.mcp();
        connectors = checked.connectors();
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("gateway call timeout " + callTimeout + " is not positive");
        }
        if (maxRecords < 0 || maxResultBytes <= 0 || maxRequestBytes <= 0) {
            throw new IllegalArgumentException("gateway limits must be positive (maxRecords may be 0): " + maxRecords + ", "
                    + maxResultBytes + ", " + maxRequestBytes);
        }
    }

    /** The MCP tools of a tool policy with the default limits. */
    public static GatewayConfig of(String runId, ToolPolicy tools, SecretSource secrets, Path runDirectoryParent) {
        return new GatewayConfig(runId, tools.mcp(), tools.connectors(), secrets, runDirectoryParent, DEFAULT_CALL_TIMEOUT,
                DEFAULT_MAX_RECORDS, DEFAULT_MAX_RESULT_BYTES, DEFAULT_MAX_REQUEST_BYTES, null);
    }

    /** The plan's MCP tools (already narrowed by the request) and their connectors, with the default limits. */
    public static GatewayConfig forPlan(String runId, RunPlan plan, SecretSource secrets, Path runDirectoryParent) {
        return of(runId, plan.effective().tools(), secrets, runDirectoryParent);
    }

    /** Whether the plan has MCP tools at all (no gateway is needed otherwise). */
    public static boolean needed(RunPlan plan) {
        return !plan.effective().tools().mcp().isEmpty();
    }

    public GatewayConfig withListener(Consumer<ToolCallRecord> l) {
        return new GatewayConfig(runId, tools, connectors, secrets, runDirectoryParent, callTimeout, maxRecords, maxResultBytes,
                maxRequestBytes, l);
    }

    public GatewayConfig withCallTimeout(Duration t) {
        return new GatewayConfig(runId, tools, connectors, secrets, runDirectoryParent, t, maxRecords, maxResultBytes,
                maxRequestBytes, listener);
    }

    public GatewayConfig withLimits(int records, long resultBytes, int requestBytes) {
        return new GatewayConfig(runId, tools, connectors, secrets, runDirectoryParent, callTimeout, records, resultBytes,
                requestBytes, listener);
    }

    /** The timeout of one call to {@code connector}: its own, capped by this config's. */
    public Duration timeoutFor(Connector connector) {
        return connector.callTimeout().compareTo(callTimeout) < 0 ? connector.callTimeout() : callTimeout;
    }
}
