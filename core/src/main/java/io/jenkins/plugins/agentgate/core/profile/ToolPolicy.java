package io.jenkins.plugins.agentgate.core.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Tools declared up front; anything else is an unauthorized attempt.
 *
 * @param allowed    command-line tools by name (exported to the sandbox as AGENTGATE_TOOLS)
 * @param mcp        MCP tools reached through Agent Gate's tool gateway, sorted by name
 * @param connectors the connectors those MCP tools use (exactly those), sorted by id
 */
public record ToolPolicy(List<String> allowed,
                         @JsonInclude(JsonInclude.Include.NON_EMPTY) List<McpTool> mcp,
                         @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Connector> connectors) {
    public ToolPolicy {
        allowed = Lists.sortedDistinct(allowed);
        mcp = mcp == null ? List.of() : mcp.stream().sorted(Comparator.comparing(McpTool::name)).toList();
        Map<String, Connector> byId = connectors == null ? Map.of()
                : connectors.stream().collect(Collectors.toMap(Connector::id, Function.identity(), (a, b) -> {
                    if (!a.equals(b)) {
                        throw new IllegalArgumentException("connector '" + a.id() + "' is given twice, differently");
                    }
                    return a;
                }));
        Set<String> names = new HashSet<>(allowed);
        Set<String> used = new HashSet<>();
        for (McpTool t : mcp) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("tool '" + t.name() + "' is declared twice");
            }
            if (!byId.containsKey(t.connector())) {
                throw new IllegalArgumentException("tool '" + t.name() + "' uses connector '" + t.connector()
                        + "', which is not given (connectors: " + byId.keySet().stream().sorted().toList() + ")");
            }
            used.add(t.connector());
        }
        // Only the connectors in use: a narrowed policy must not keep (and hash) connectors it no longer reaches.
        connectors = byId.values().stream().filter(c -> used.contains(c.id()))
                .sorted(Comparator.comparing(Connector::id)).toList();
    }

    /** Command-line tools only (the form before MCP tools existed). */
    public ToolPolicy(List<String> allowed) {
        this(allowed, List.of(), List.of());
    }

    public Optional<McpTool> mcpTool(String name) {
        return mcp.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public Optional<Connector> connector(String id) {
        return connectors.stream().filter(c -> c.id().equals(id)).findFirst();
    }

    /** Every declared name, command-line and MCP, sorted. */
    public List<String> names() {
        return java.util.stream.Stream.concat(allowed.stream(), mcp.stream().map(McpTool::name)).sorted().toList();
    }
}
