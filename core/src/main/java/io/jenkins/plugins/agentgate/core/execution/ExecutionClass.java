package io.jenkins.plugins.agentgate.core.execution;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The impact class of an agent run. The pipeline author declares it from what the task may touch;
 * admins map each class to a sandbox profile and an approval rule. Nothing the model says changes it.
 */
public enum ExecutionClass {
    /** Content generation, documentation edits, ticket summaries. */
    DRAFT,
    /** Code changes, CI interaction, dependency updates. */
    DELIVERY,
    /** Production configuration, access policy edits, secret rotation. */
    PRIVILEGED;

    /** The lower-case name used in YAML, on the command line and in evidence. */
    @JsonValue
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a class name case-insensitively.
     *
     * @throws IllegalArgumentException naming the value and the accepted ones
     */
    @JsonCreator
    public static ExecutionClass parse(String value) {
        if (value != null) {
            for (ExecutionClass c : values()) {
                if (c.id().equalsIgnoreCase(value.trim())) {
                    return c;
                }
            }
        }
        throw new IllegalArgumentException("execution class '" + value + "' is not known; expected one of "
                + Arrays.stream(values()).map(ExecutionClass::id).collect(Collectors.joining(", ")));
    }
}
