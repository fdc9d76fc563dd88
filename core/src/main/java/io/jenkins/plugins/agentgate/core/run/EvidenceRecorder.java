package io.jenkins.plugins.agentgate.core.run;

/** Seam for evidence: sees the run before the sandbox and records every outcome. */
public interface EvidenceRecorder {
    /** Records nothing; the default until the evidence module is configured. */
    EvidenceRecorder NONE = outcome -> null;

    /** The plan is allowed and approved; the workspace is still untouched (e.g. take the "before" snapshot). */
    default void beforeSandbox(RunContext ctx) throws Exception {}

    /**
     * Called exactly once per run, for every outcome: success, agent failure, denial, refused approval,
     * runtime error. A failure here turns the outcome into a runtime error (a run without evidence is not done).
     *
     * @return a reference to what was written (e.g. the bundle's path), or null
     */
    String record(RunOutcome outcome) throws Exception;
}
