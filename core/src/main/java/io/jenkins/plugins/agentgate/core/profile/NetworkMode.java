package io.jenkins.plugins.agentgate.core.profile;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Closed, or open to named destinations only. There is no "open" mode on purpose. */
public enum NetworkMode {
    NONE,
    ALLOWLIST;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
