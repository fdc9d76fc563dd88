package io.jenkins.plugins.agentgate.core.evidence;

import java.time.Instant;

/**
 * An attempt the sandbox refused while the agent ran (network connect, write to a protected path, ...).
 *
 * @param at      when it was observed
 * @param kind    e.g. {@code egress}, {@code tool}, {@code approval}, {@code filesystem}, {@code credential}
 * @param subject what was attempted, e.g. {@code api.example.com:443}
 * @param ruleId  the rule that refused it
 * @param detail  one sentence for people
 */
public record RuntimeDenial(Instant at, String kind, String subject, String ruleId, String detail) {
    /** An egress attempt the run's proxy denied (subject {@code host:port}). */
    public static final String EGRESS = "egress";
    /** A tool call the run's tool gateway denied (subject: the tool name). */
    public static final String TOOL = "tool";
    /** An approval decision that did not count (self-approval, stale, expired, outside the window). */
    public static final String APPROVAL = "approval";
}
