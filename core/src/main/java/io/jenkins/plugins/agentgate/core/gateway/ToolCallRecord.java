package io.jenkins.plugins.agentgate.core.gateway;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One {@code tools/call} at the gateway, as it goes into the evidence. Arguments are never kept, only their
 * digest; results are never kept, only their size.
 *
 * @param sequence        1-based order in which calls arrived
 * @param tool            the tool name the agent asked for (as sent; may be undeclared)
 * @param connector       id of the connector that serves it; empty when none does
 * @param argumentsSha256 hex SHA-256 of the canonical JSON of the arguments ({} when absent)
 * @param verdict         allowed (connector answered), denied (unauthorized attempt) or failed (connector trouble)
 * @param ruleId          the rule that decided ({@link ToolRules})
 * @param reason          one sentence for people
 * @param durationMillis  time from arrival to answer
 * @param resultBytes     size of the JSON result returned to the agent (0 unless allowed)
 * @param at              when the call arrived
 */
public record ToolCallRecord(long sequence, String tool, String connector, String argumentsSha256, ToolVerdict verdict,
                             String ruleId, String reason, long durationMillis, long resultBytes, Instant at) {
    public ToolCallRecord {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(ruleId, "ruleId");
        Objects.requireNonNull(at, "at");
        tool = tool == null ? "" : tool;
        connector = connector == null ? "" : connector;
        argumentsSha256 = argumentsSha256 == null ? "" : argumentsSha256;
        reason = reason == null ? "" : reason;
    }

    /** One line for progress output (CLI and build log): verdict, tool, connector, rule and duration. */
    public String describe() {
        return "tool " + verdict.name().toLowerCase(Locale.ROOT) + " " + (tool.isEmpty() ? "?" : tool)
                + (connector.isEmpty() ? "" : " @" + connector) + " [" + ruleId + "] " + durationMillis + " ms";
    }
}
