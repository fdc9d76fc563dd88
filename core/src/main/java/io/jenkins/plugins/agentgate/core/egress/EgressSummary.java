package io.jenkins.plugins.agentgate.core.egress;

import java.util.List;

/**
 * Totals of one run's egress, for the run summary and the evidence.
 *
 * @param attempts           connection attempts
 * @param allowed            attempts allowed and connected
 * @param unauthorized       attempts denied by policy or by a limit
 * @param failed             attempts allowed but not reachable
 * @param bytesUp            bytes sent upstream, all connections
 * @param bytesDown          bytes returned to the sandbox, all connections
 * @param byteLimitReached   whether the run's byte budget ran out
 * @param totalTimeReached   whether the run's total egress time ran out
 * @param droppedRecords     attempts counted here but not kept as records (beyond the record limit)
 * @param deniedDestinations distinct {@code host:port} that were denied, sorted (at most 100)
 */
public record EgressSummary(long attempts, long allowed, long unauthorized, long failed, long bytesUp, long bytesDown,
                            boolean byteLimitReached, boolean totalTimeReached, long droppedRecords,
                            List<String> deniedDestinations) {
    public EgressSummary {
        deniedDestinations = List.copyOf(deniedDestinations);
    }
}
