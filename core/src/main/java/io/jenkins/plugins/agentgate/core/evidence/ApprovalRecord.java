package io.jenkins.plugins.agentgate.core.evidence;

import java.time.Instant;

/**
 * One approver's decision as the evidence keeps it (the approvals module maps its ledger entries here).
 *
 * @param approver      identity of the approver
 * @param role          why they could approve, e.g. {@code owner} or {@code release-manager}
 * @param decision      {@code approved} or {@code rejected}
 * @param at            when
 * @param requestDigest the digest of exactly what was approved
 * @param comment       optional text, else null
 */
public record ApprovalRecord(String approver, String role, String decision, Instant at, String requestDigest,
                             String comment) {}
