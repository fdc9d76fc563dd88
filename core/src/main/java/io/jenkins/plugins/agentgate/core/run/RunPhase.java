package io.jenkins.plugins.agentgate.core.run;

/** Phases of a governed run, in order, as progress listeners see them. */
public enum RunPhase {
    POLICY, APPROVAL, SANDBOX_START, AGENT_RUNNING, AGENT_DONE, CLEANUP, EVIDENCE, DONE
}
