package io.jenkins.plugins.agentgate.core.evidence;

import java.util.List;
import java.util.Objects;

/**
 * What the run's tool gateway saw, complete (read after it closed). Null in the record when no gateway ran (the
 * plan had no MCP tools).
 *
 * @param summary totals; {@code summary.denied()} counts every denied call, also those beyond the record limit
 * @param records every call the gateway kept, by sequence
 */
public record ToolEvidence(ToolTotals summary, List<ToolCall> records) {
    public ToolEvidence {
        Objects.requireNonNull(summary, "summary");
        records = List.copyOf(records);
    }
}
