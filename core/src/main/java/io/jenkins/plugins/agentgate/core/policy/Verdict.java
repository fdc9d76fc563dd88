package io.jenkins.plugins.agentgate.core.policy;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

public enum Verdict {
    ALLOW,
    DENY;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
