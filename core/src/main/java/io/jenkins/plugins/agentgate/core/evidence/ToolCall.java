package io.jenkins.plugins.agentgate.core.evidence;

import java.time.Instant;

/**
 * One {@code tools/call} at the run's tool gateway, as evidence records it (the evidence package does not depend
 * on the gateway package; the run maps its records into these). Arguments and results are never recorded, only
 * the arguments' digest and the result's size.
 *
 * @param sequence        1-based order in which calls arrived
 * @param at              when the call arrived
 * @param tool            the tool name the agent asked for
 * @param connector       the connector serving it; empty when none does
 * @param argumentsSha256 hex SHA-256 of the canonical JSON of the arguments
 * @param verdict         {@code allowed}, {@code denied} (an unauthorized attempt) or {@code failed} (connector trouble)
 * @param rule            the rule id that decided it (e.g. {@code tool.allowed}, {@code tool.not-declared})
 * @param reason          one sentence for people (masked)
 * @param durationMillis  from arrival to answer
 * @param resultBytes     size of the JSON result passed back (0 unless allowed)
 */
public record ToolCall(long sequence, Instant at, String tool, String connector, String argumentsSha256, String verdict,
                       String rule, String reason, long durationMillis, long resultBytes) {}
