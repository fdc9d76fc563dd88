package io.jenkins.plugins.agentgate.core.approval;

import java.time.Instant;
import java.util.List;

/**
 * One approval decision as evidence takes it: who, when, on which digest, and what the engine made of it.
 *
 * @param event         what happened
 * @param identity      the person, {@code template:<id>} for a template, or {@code agentgate} for the engine's own
 *                      findings (window, blackout, not required)
 * @param groups        the groups recorded with the person's decision
 * @param at            when the person decided, or the evaluation time for the engine's findings
 * @param requestDigest the digest the decision was bound to
 * @param counted       whether it counts towards the rule
 * @param comment       the person's comment
 * @param reason        the engine's explanation
 */
public record ApprovalRecord(ApprovalEvent event, String identity, List<String> groups, Instant at, String requestDigest,
                             boolean counted, String comment, String reason) {
    public static final String ENGINE = "agentgate";

    public ApprovalRecord {
        groups = groups == null ? List.of() : List.copyOf(groups);
        comment = comment == null ? "" : comment;
        reason = reason == null ? "" : reason;
    }

    /** {@code refused alice at 2026-…Z: the requester cannot approve their own request} for logs. */
    public String format() {
        return event.id() + " " + identity + " at " + at + (reason.isEmpty() ? "" : ": " + reason)
                + (comment.isEmpty() ? "" : " (comment: " + comment + ")");
    }
}
