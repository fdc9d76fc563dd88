package io.jenkins.plugins.agentgate.core.evidence;

import java.util.List;

/**
 * What {@link BundleVerifier} found.
 *
 * @param valid    no problem was found
 * @param problems why the bundle is not valid, one sentence each (empty when valid)
 * @param checks   what was checked and passed
 * @param warnings worth knowing, not invalidating (e.g. the key was not pinned)
 * @param runId    the run, when the record could be read
 * @param outcome  the run's outcome, when the record could be read
 * @param signed   whether the envelope carries a signature that verified
 * @param keyId    the key id that verified, else null
 */
public record VerificationReport(boolean valid, List<String> problems, List<String> checks, List<String> warnings,
                                 String runId, String outcome, boolean signed, String keyId) {
    public VerificationReport {
        problems = List.copyOf(problems);
        checks = List.copyOf(checks);
        warnings = List.copyOf(warnings);
    }
}
