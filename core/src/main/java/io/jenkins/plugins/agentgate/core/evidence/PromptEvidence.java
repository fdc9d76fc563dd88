package io.jenkins.plugins.agentgate.core.evidence;

/**
 * The task text: always its hash, the text itself only where the profile keeps it.
 *
 * @param sha256 lower-case hex SHA-256 of the UTF-8 task text
 * @param kept   whether {@code text} holds the task text
 * @param text   the task text, or null
 */
public record PromptEvidence(String sha256, boolean kept, String text) {}
