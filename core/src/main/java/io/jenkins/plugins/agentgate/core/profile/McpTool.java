package io.jenkins.plugins.agentgate.core.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * An MCP tool a profile allows, behind one connector, with optional constraints on its arguments.
 *
 * @param name      the tool's name as the connector lists it
 * @param connector id of the {@link Connector} serving it
 * @param args      argument name → constraint (sorted by name); arguments without one are passed as given
 */
public record McpTool(String name, String connector,
                      @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, ArgumentConstraint> args) {
    /** MCP tool names (spec 2025-11-25): 1-128 of ASCII letters, digits, '_', '-' and '.'. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");
    public static final String NAME_FORM = "an MCP tool name: 1-128 letters, digits, '_', '-' or '.'";

    public McpTool {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(connector, "connector");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("tool name '" + name + "' is not valid; expected " + NAME_FORM);
        }
        args = args == null ? Map.of() : Collections.unmodifiableSortedMap(new TreeMap<>(args));
    }
}
