package io.jenkins.plugins.agentgate.core.gateway;

import java.util.Objects;

/** A policy verdict on one tool call, before it reaches a connector. */
public record ToolDecision(ToolVerdict verdict, String ruleId, String reason) {
    public ToolDecision {
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(ruleId, "ruleId");
        reason = reason == null ? "" : reason;
    }

    public boolean allowed() {
        return verdict == ToolVerdict.ALLOWED;
    }

    static ToolDecision deny(String rule, String reason) {
        return new ToolDecision(ToolVerdict.DENIED, rule, reason);
    }
}
