package io.jenkins.plugins.agentgate.core.evidence;

/**
 * Totals of one run's tool gateway.
 *
 * @param calls          tools/call requests
 * @param allowed        forwarded and answered
 * @param denied         refused by policy: unauthorized tool attempts (counted in {@code unauthorizedAttempts})
 * @param failed         allowed, but the connector failed, timed out or the result exceeded the limit
 * @param droppedRecords calls counted here but not kept as records (beyond the gateway's record limit)
 */
public record ToolTotals(long calls, long allowed, long denied, long failed, long droppedRecords) {}
