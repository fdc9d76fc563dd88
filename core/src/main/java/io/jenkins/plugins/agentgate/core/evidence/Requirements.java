package io.jenkins.plugins.agentgate.core.evidence;

/**
 * What the profile demanded of this bundle, recorded so completeness can be re-checked offline.
 *
 * @param rollback           the profile's rollback expectation: {@code none}, {@code best-effort}, {@code required}
 * @param signatureRequired  the profile's evidence.requireSignature
 * @param keepPrompt         the profile's evidence.keepPrompt
 * @param approvalsRequired  distinct approvals the approval rule required for this run (0 when none)
 */
public record Requirements(String rollback, boolean signatureRequired, boolean keepPrompt, int approvalsRequired) {}
