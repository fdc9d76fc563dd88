package io.jenkins.plugins.agentgate.core.gateway;

/**
 * Run totals of the gateway; they count every call, also those whose record was dropped past the limit.
 *
 * @param calls          tools/call requests seen
 * @param allowed        forwarded and answered by the connector
 * @param denied         refused by policy: the run's unauthorized tool attempts
 * @param failed         allowed, but the connector failed, timed out or the result was too large
 * @param droppedRecords calls counted here whose record was not kept (beyond {@link GatewayConfig#maxRecords()})
 */
public record GatewaySummary(long calls, long allowed, long denied, long failed, long droppedRecords) {
    public static GatewaySummary empty() {
        return new GatewaySummary(0, 0, 0, 0, 0);
    }
}
