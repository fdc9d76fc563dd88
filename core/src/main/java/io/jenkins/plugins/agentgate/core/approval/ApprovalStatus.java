package io.jenkins.plugins.agentgate.core.approval;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The engine's answer for one request at one time.
 *
 * @param state         where the request stands
 * @param requestDigest the digest evaluated
 * @param message       one or two sentences for people: why, and what is missing
 * @param via           how it was approved (set whenever the approvals are complete, also when a window or blackout
 *                      still holds it back), else null
 * @param approvers     the people whose approvals count, in decision order
 * @param template      the template id when {@code via} is template
 * @param rejectedBy    who rejected, when rejected
 * @param comment       the rejection's comment, when rejected
 * @param nextOpening   when the request may start, for outside-window and in-blackout (null when no window ever opens)
 * @param records       every decision and finding, for the evidence bundle
 */
public record ApprovalStatus(ApprovalState state, String requestDigest, String message, ApprovedVia via,
                             List<String> approvers, String template, String rejectedBy, String comment,
                             Instant nextOpening, List<ApprovalRecord> records) {
    public ApprovalStatus {
        Objects.requireNonNull(state, "state");
        approvers = approvers == null ? List.of() : List.copyOf(approvers);
        records = records == null ? List.of() : List.copyOf(records);
    }

    /** True when the run may start now. */
    public boolean allowed() {
        return state == ApprovalState.APPROVED;
    }
}
