package io.jenkins.plugins.agentgate.core.profile;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * An MCP server the admins run outside the sandbox, with its own credentials: either a command started on
 * the host (stdio) or a remote Streamable-HTTP endpoint. Exactly one of {@code command} and {@code url}.
 * Part of the policy hash (through the profile tools that use it); secret values never are, only which
 * credential id goes into which variable.
 *
 * @param id          catalog id, referenced by profile tool entries
 * @param description human text
 * @param command     argv of a stdio server started on the host; empty for a remote one
 * @param url         http(s) URL of a Streamable-HTTP server; null for a command
 * @param env         non-secret environment variables of the command (sorted by name)
 * @param credentials credentials resolved on the host and put into the command's environment
 * @param callTimeout longest a single tool call may take before it is reported as failed
 */
public record Connector(String id, String description, List<String> command, String url,
                        @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> env,
                        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ConnectorCredential> credentials,
                        Duration callTimeout) {
    public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(30);

    public Connector {
        Objects.requireNonNull(id, "id");
        description = description == null ? "" : description;
        command = command == null ? List.of() : List.copyOf(command);
        env = env == null ? Map.of() : Collections.unmodifiableSortedMap(new TreeMap<>(env));
        credentials = credentials == null ? List.of()
                : credentials.stream().sorted(java.util.Comparator.comparing(ConnectorCredential::env)).toList();
        callTimeout = callTimeout == null ? DEFAULT_CALL_TIMEOUT : callTimeout;
        if (command.isEmpty() == (url == null)) {
            throw new IllegalArgumentException("connector '" + id + "' needs exactly one of command or url");
        }
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("connector '" + id + "' call timeout must be positive");
        }
    }

    /** Whether the connector is a command started on the host (else a remote URL). Not a bean getter on purpose. */
    public boolean hasCommand() {
        return !command.isEmpty();
    }
}
