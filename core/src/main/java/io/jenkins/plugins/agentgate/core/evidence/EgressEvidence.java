package io.jenkins.plugins.agentgate.core.evidence;

import java.util.List;
import java.util.Objects;

/**
 * What the run's egress proxy saw, complete (read after the proxy closed). Absent (null in the record) when no
 * proxy ran: a closed or open network profile.
 *
 * @param summary     totals; {@code summary.unauthorized()} counts every denied attempt, also those beyond the record limit
 * @param records     every attempt the proxy kept, in completion order
 * @param relaySha256 SHA-256 of the relay binary the sandbox ran as its entrypoint
 */
public record EgressEvidence(EgressTotals summary, List<EgressAttempt> records, String relaySha256) {
    public EgressEvidence {
        Objects.requireNonNull(summary, "summary");
        records = List.copyOf(records);
        Objects.requireNonNull(relaySha256, "relaySha256");
    }
}
