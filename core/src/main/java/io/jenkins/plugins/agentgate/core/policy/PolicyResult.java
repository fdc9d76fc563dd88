package io.jenkins.plugins.agentgate.core.policy;

import java.util.List;
import java.util.Optional;

/**
 * What the engine decided: every decision it made, and the plan when nothing was denied.
 */
public record PolicyResult(List<Decision> decisions, RunPlan plan) {
    public PolicyResult {
        decisions = List.copyOf(decisions);
    }

    public boolean allowed() {
        return plan != null;
    }

    public Optional<RunPlan> planIfAllowed() {
        return Optional.ofNullable(plan);
    }

    public List<Decision> denials() {
        return decisions.stream().filter(Decision::denied).toList();
    }
}
