package io.jenkins.plugins.agentgate.core.run;

/** Progress of a governed run, for people (CLI stderr lines, the Jenkins build log). Must not throw. */
@FunctionalInterface
public interface RunListener {
    RunListener NONE = (phase, message) -> {};

    void phase(RunPhase phase, String message);
}
