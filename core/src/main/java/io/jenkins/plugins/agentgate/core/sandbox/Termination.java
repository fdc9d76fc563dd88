package io.jenkins.plugins.agentgate.core.sandbox;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Why the sandboxed agent stopped. */
public enum Termination {
    /** The agent's process exited by itself (any exit code). */
    EXITED,
    /** The wall timeout passed; the container was killed and removed. */
    TIMEOUT,
    /** The kernel killed it at the memory limit. */
    OOM_KILLED,
    /** The caller (build abort, Ctrl-C) interrupted the run; the container was removed. */
    INTERRUPTED,
    /** The engine failed (daemon gone, create refused, attach lost); {@code message} says what. */
    RUNTIME_ERROR;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
