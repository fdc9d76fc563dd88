package io.jenkins.plugins.agentgate.core.run;

/**
 * Thrown by an {@link EvidenceRecorder} that wrote its bundle but found it too incomplete for the run to count
 * (a Privileged run with missing fields, or a missing required signature): the run then fails, and still
 * references the bundle it wrote.
 */
public final class EvidenceIncompleteException extends Exception {
    private final String evidence;

    public EvidenceIncompleteException(String evidence, String message) {
        super(message);
        this.evidence = evidence;
    }

    /** The reference to the bundle that was written. */
    public String evidence() {
        return evidence;
    }
}
