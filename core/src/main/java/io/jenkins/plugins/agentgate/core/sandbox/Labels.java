package io.jenkins.plugins.agentgate.core.sandbox;

/** Container labels Agent Gate sets; the reaper finds its containers by them. */
public final class Labels {
    public static final String PREFIX = "io.jenkins.agentgate.";
    public static final String RUN_ID = PREFIX + "run-id";
    public static final String PROFILE = PREFIX + "profile";
    /** Creation time, ISO-8601 UTC. */
    public static final String CREATED = PREFIX + "created";
    /** Epoch second after which the run is certainly over (creation + timeout + grace); the reaper's clock. */
    public static final String DEADLINE = PREFIX + "deadline";

    private Labels() {}
}
