package io.jenkins.plugins.agentgate.core.run;

import io.jenkins.plugins.agentgate.core.gateway.GatewaySummary;
import io.jenkins.plugins.agentgate.core.gateway.ToolCallRecord;
import java.util.List;
import java.util.Objects;

/**
 * What one run's tool gateway decided, complete (read after the gateway closed): for the evidence and the run summary.
 *
 * @param records every {@code tools/call}, by arrival (at most the gateway's record limit)
 * @param summary totals; {@code summary.denied()} counts the unauthorized tool attempts
 * @param served  tools the agent's {@code tools/list} showed (declared and offered by their connector), sorted
 * @param missing declared tools their connector did not offer, sorted
 */
public record ToolReport(List<ToolCallRecord> records, GatewaySummary summary, List<String> served, List<String> missing) {
    public ToolReport {
        records = List.copyOf(records);
        Objects.requireNonNull(summary, "summary");
        served = List.copyOf(served);
        missing = List.copyOf(missing);
    }

    /** Refused tool calls: unauthorized attempts, counted beside the run's other denials. */
    public long unauthorized() {
        return summary.denied();
    }

    /** {@code N calls: A allowed, D denied (unauthorized), F failed} plus dropped records when there were any. */
    public String describe() {
        return summary.calls() + " call" + (summary.calls() == 1 ? "" : "s") + ": " + summary.allowed() + " allowed, "
                + summary.denied() + " denied (unauthorized), " + summary.failed() + " failed"
                + (summary.droppedRecords() > 0 ? ", " + summary.droppedRecords() + " not kept as records" : "");
    }
}
