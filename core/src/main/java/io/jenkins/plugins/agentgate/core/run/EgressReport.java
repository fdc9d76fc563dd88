package io.jenkins.plugins.agentgate.core.run;

import io.jenkins.plugins.agentgate.core.egress.EgressRecord;
import io.jenkins.plugins.agentgate.core.egress.EgressSummary;
import java.util.List;
import java.util.Objects;

/**
 * What one run's egress proxy saw, complete (read after the proxy closed): for the evidence and the run summary.
 *
 * @param records     every connection attempt, in completion order (at most the proxy's record limit)
 * @param summary     totals; {@code summary.unauthorized()} counts the denied attempts
 * @param relaySha256 SHA-256 of the relay binary the sandbox ran as its entrypoint
 */
public record EgressReport(List<EgressRecord> records, EgressSummary summary, String relaySha256) {
    public EgressReport {
        records = List.copyOf(records);
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(relaySha256, "relaySha256");
    }

    /** Denied attempts (policy or limit): unauthorized, counted beside the run's other denials. */
    public long unauthorized() {
        return summary.unauthorized();
    }

    /** {@code N allowed, M denied (unauthorized)} plus failures when there were any. */
    public String describe() {
        return summary.allowed() + " allowed, " + summary.unauthorized() + " denied (unauthorized)"
                + (summary.failed() > 0 ? ", " + summary.failed() + " failed" : "")
                + (summary.droppedRecords() > 0 ? ", " + summary.droppedRecords() + " not kept as records" : "");
    }
}
