package io.jenkins.plugins.agentgate.core.evidence;

import java.util.List;

/**
 * Totals of one run's egress through its proxy.
 *
 * @param attempts           connection attempts
 * @param allowed            attempts allowed and connected
 * @param unauthorized       attempts denied by policy or by a limit
 * @param failed             attempts allowed but not reachable
 * @param bytesUp            bytes sent upstream, all connections
 * @param bytesDown          bytes returned to the sandbox, all connections
 * @param byteLimitReached   whether the run's egress byte budget ran out
 * @param totalTimeReached   whether the run's total egress time ran out
 * @param droppedRecords     attempts counted here but not kept as records (beyond the proxy's record limit)
 * @param deniedDestinations distinct {@code host:port} that were denied, sorted
 */
public record EgressTotals(long attempts, long allowed, long unauthorized, long failed, long bytesUp, long bytesDown,
                           boolean byteLimitReached, boolean totalTimeReached, long droppedRecords,
                           List<String> deniedDestinations) {
    public EgressTotals {
        deniedDestinations = List.copyOf(deniedDestinations);
    }
}
