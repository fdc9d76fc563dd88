package io.jenkins.plugins.agentgate.core.approval;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What an {@link ApprovalRecord} records. */
public enum ApprovalEvent {
    /** An approval that counts towards the rule. */
    APPROVE,
    /** A rejection that refuses the request. */
    REJECT,
    /** An administrator's approval alone, allowed by the profile. */
    BYPASS,
    /** A pre-approved template matched the run. */
    TEMPLATE,
    /** The class's rule requires no approval. */
    NOT_REQUIRED,
    /** An approval older than the rule's expiry. */
    EXPIRED,
    /** A decision on an earlier version of the request (another digest). */
    STALE,
    /** A decision that does not count, with the reason (self-approval, unknown user, same person twice, …). */
    REFUSED,
    /** Approved, but no execution window is open now. */
    WAITING_FOR_WINDOW,
    /** Approved, but a blackout is in force now. */
    IN_BLACKOUT;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
