package io.jenkins.plugins.agentgate.core.sandbox;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * The network the container joins. {@link #none()} (no interface but loopback) is the only mode this
 * module creates; the egress proxy attaches a run to its own internal network through {@link #attached}.
 *
 * @param dockerNetwork docker network name, or {@code "none"}
 * @param environment   variables the network needs in the sandbox (e.g. HTTP_PROXY); never secrets
 */
public record SandboxNetwork(String dockerNetwork, Map<String, String> environment) {
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}");

    public SandboxNetwork {
        environment = Map.copyOf(environment);
        if (!NAME.matcher(dockerNetwork).matches()) {
            throw new IllegalArgumentException("docker network '" + dockerNetwork
                    + "' is not valid; expected letters, digits, '_', '.', '-' (not starting with '-')");
        }
        // Sharing the host's or another container's network namespace would void the network policy.
        if (!dockerNetwork.equals("none") && (dockerNetwork.equals("host") || dockerNetwork.equals("bridge")
                || dockerNetwork.equals("default"))) {
            throw new IllegalArgumentException("docker network '" + dockerNetwork
                    + "' is refused; expected none or a dedicated internal network");
        }
    }

    public static SandboxNetwork none() {
        return new SandboxNetwork("none", Map.of());
    }

    public static SandboxNetwork attached(String dockerNetwork, Map<String, String> environment) {
        return new SandboxNetwork(dockerNetwork, environment);
    }

    public boolean isNone() {
        return dockerNetwork.equals("none");
    }
}
