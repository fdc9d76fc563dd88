package io.jenkins.plugins.agentgate.core.profile;

/**
 * What the evidence bundle keeps.
 *
 * @param keepPrompt       keep the task text itself, not only its hash
 * @param requireSignature refuse to finish a run whose bundle cannot be signed
 */
public record EvidencePolicy(boolean keepPrompt, boolean requireSignature) {}
