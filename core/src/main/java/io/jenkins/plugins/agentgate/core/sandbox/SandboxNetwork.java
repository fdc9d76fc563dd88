package io.jenkins.plugins.agentgate.core.sandbox;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The network the container joins and what it needs to use it. {@link #none()} (no interface but loopback)
 * is the default; {@link #proxied} keeps {@code --network none} and adds the egress proxy's way out: read-only
 * bind mounts (the proxy's socket directory and the relay), the relay as entrypoint, the relay's arguments
 * before the agent's command, and the proxy variables. {@link #attached} joins a dedicated docker network.
 *
 * @param dockerNetwork docker network name, or {@code "none"}
 * @param environment   variables the network needs in the sandbox (e.g. HTTP_PROXY); never secrets
 * @param mounts        read-only bind mounts the network needs, each under {@link #MOUNT_ROOT} in the container
 * @param entrypoint    {@code --entrypoint} (one of the mounts' targets), or null to keep the image's
 * @param commandPrefix arguments put before the agent's command (the entrypoint's own); empty without entrypoint
 */
public record SandboxNetwork(String dockerNetwork, Map<String, String> environment, List<Mount> mounts, String entrypoint,
                             List<String> commandPrefix) {
    /** Every network mount lives under this container directory, apart from the workspace and the task file. */
    public static final String MOUNT_ROOT = "/.agentgate/";
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}");

    public SandboxNetwork {
        environment = Map.copyOf(environment);
        mounts = List.copyOf(mounts);
        commandPrefix = List.copyOf(commandPrefix);
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
        for (Mount m : mounts) {
            if (!m.readOnly()) {
                throw new IllegalArgumentException("network mount " + m.target() + " is read-write; expected read-only");
            }
            if (!m.target().startsWith(MOUNT_ROOT) || m.target().contains("/..") || m.target().length() <= MOUNT_ROOT.length()) {
                throw new IllegalArgumentException("network mount target '" + m.target() + "' is not under " + MOUNT_ROOT
                        + "; expected a path there (the workspace, task file and secrets are not the network's)");
            }
        }
        if (entrypoint != null && mounts.stream().noneMatch(m -> m.target().equals(entrypoint))) {
            throw new IllegalArgumentException("network entrypoint '" + entrypoint
                    + "' is not one of the network's mounts; expected the mounted relay");
        }
        if (entrypoint == null && !commandPrefix.isEmpty()) {
            throw new IllegalArgumentException("network command prefix " + commandPrefix + " without an entrypoint; expected none");
        }
        for (String a : commandPrefix) {
            if (a.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("network command prefix contains a NUL character; expected plain text");
            }
        }
    }

    public SandboxNetwork(String dockerNetwork, Map<String, String> environment) {
        this(dockerNetwork, environment, List.of(), null, List.of());
    }

    public static SandboxNetwork none() {
        return new SandboxNetwork("none", Map.of());
    }

    public static SandboxNetwork attached(String dockerNetwork, Map<String, String> environment) {
        return new SandboxNetwork(dockerNetwork, environment);
    }

    /**
     * No network interface but loopback; the only way out is the egress relay, which listens on the container's
     * loopback and forwards to the proxy's Unix socket in a mounted directory.
     */
    public static SandboxNetwork proxied(Map<String, String> environment, List<Mount> mounts, String entrypoint,
                                         List<String> commandPrefix) {
        return new SandboxNetwork("none", environment, mounts, Objects.requireNonNull(entrypoint, "entrypoint"), commandPrefix);
    }

    /** Whether the sandbox has no way out at all (no docker network, no proxy relay). */
    public boolean isNone() {
        return dockerNetwork.equals("none") && entrypoint == null && mounts.isEmpty();
    }

    /** Whether the way out is the egress relay in a network-less container. */
    public boolean isProxied() {
        return dockerNetwork.equals("none") && entrypoint != null;
    }

    /** The container's argv after the image: the entrypoint's prefix, then the agent's command. */
    public List<String> command(List<String> agentCommand) {
        if (commandPrefix.isEmpty()) {
            return agentCommand;
        }
        List<String> all = new ArrayList<>(commandPrefix);
        all.addAll(agentCommand);
        return List.copyOf(all);
    }

    /** The same network with its mounts replaced (by their validated, resolved form). */
    public SandboxNetwork withMounts(List<Mount> validated) {
        return new SandboxNetwork(dockerNetwork, environment, validated, entrypoint, commandPrefix);
    }
}
