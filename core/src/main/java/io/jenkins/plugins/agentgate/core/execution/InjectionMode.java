package io.jenkins.plugins.agentgate.core.execution;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** How a leased credential reaches the sandbox. Neither mode ever puts the value on a command line. */
public enum InjectionMode {
    /** An environment variable whose value travels through the container client's environment. */
    ENV,
    /** A file on a tmpfs inside the sandbox, mode 0400, owned by the sandbox user; removable at TTL. */
    FILE;

    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static InjectionMode parse(String value) {
        for (InjectionMode m : values()) {
            if (m.id().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("injection mode '" + value + "' is not known; expected env or file");
    }
}
