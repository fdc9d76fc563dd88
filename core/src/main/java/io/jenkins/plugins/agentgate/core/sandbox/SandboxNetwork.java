package io.jenkins.plugins.agentgate.core.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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
 * <p>A {@link ToolChannel} (the tool gateway) may ride along with any of them ({@link #withTools}): it is not a way
 * out, so {@link #isNone()} and {@link #isProxied()} speak of the egress side only, while {@link #containerMounts()},
 * {@link #containerEntrypoint()}, {@link #containerEnvironment()} and {@link #command} give what the container gets:
 * one relay process for both (the egress relay gains the channel's {@code --listen/--socket} pair), or the relay for
 * the channel alone. The channel's relay is mounted in both cases: the agent's MCP client starts it in its
 * {@code --stdio} mode.
 *
 * @param dockerNetwork docker network name, or {@code "none"}
 * @param environment   variables the network needs in the sandbox (e.g. HTTP_PROXY); never secrets
 * @param mounts        read-only bind mounts the network needs, each under {@link #MOUNT_ROOT} in the container
 * @param entrypoint    {@code --entrypoint} (one of the mounts' targets), or null to keep the image's
 * @param commandPrefix arguments put before the agent's command (the entrypoint's own); empty without entrypoint
 * @param tools         the tool gateway's channel, or null
 */
public record SandboxNetwork(String dockerNetwork, Map<String, String> environment, List<Mount> mounts, String entrypoint,
                             List<String> commandPrefix, ToolChannel tools) {
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
        if (tools != null) {
            checkTools(environment, mounts, entrypoint, commandPrefix, tools);
        }
    }

    /** A network without a tool channel. */
    public SandboxNetwork(String dockerNetwork, Map<String, String> environment, List<Mount> mounts, String entrypoint,
                          List<String> commandPrefix) {
        this(dockerNetwork, environment, mounts, entrypoint, commandPrefix, null);
    }

    public SandboxNetwork(String dockerNetwork, Map<String, String> environment) {
        this(dockerNetwork, environment, List.of(), null, List.of());
    }

    private static void checkTools(Map<String, String> environment, List<Mount> mounts, String entrypoint, List<String> prefix,
                                   ToolChannel t) {
        // The egress relay must end its own arguments with "--" so that the channel's pair can join them.
        if (entrypoint != null && (prefix.isEmpty() || !prefix.get(prefix.size() - 1).equals("--"))) {
            throw new IllegalArgumentException("network entrypoint " + entrypoint + " with arguments " + prefix
                    + " cannot carry the tool channel; expected the egress relay's arguments ending with '--'");
        }
        for (int i = 0; i + 1 < prefix.size(); i++) {
            if (prefix.get(i).equals("--listen") && prefix.get(i + 1).equals(Integer.toString(t.port()))) {
                throw new IllegalArgumentException("tool channel port " + t.port()
                        + " is the egress relay's port; expected another port");
            }
        }
        for (String name : t.environment().keySet()) {
            if (environment.containsKey(name)) {
                throw new IllegalArgumentException("tool channel variable " + name + " is also set by the network; expected each name once");
            }
        }
        for (Mount m : t.mounts()) {
            for (Mount n : mounts) {
                if (m.target().equals(n.target())) {
                    throw new IllegalArgumentException("tool channel mount " + m.target()
                            + " is also a network mount; expected distinct targets");
                }
            }
        }
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

    /** Whether the sandbox has no way out at all (no docker network, no proxy relay); a tool channel is not one. */
    public boolean isNone() {
        return dockerNetwork.equals("none") && entrypoint == null && mounts.isEmpty();
    }

    /** Whether the way out is the egress relay in a network-less container. */
    public boolean isProxied() {
        return dockerNetwork.equals("none") && entrypoint != null;
    }

    /** Whether the tool gateway's channel rides along. */
    public boolean hasTools() {
        return tools != null;
    }

    /**
     * The container's argv after the image: the relay's arguments (the egress pair and the tool channel's pair, one
     * relay process), then the agent's command.
     */
    public List<String> command(List<String> agentCommand) {
        List<String> all = new ArrayList<>();
        if (tools == null) {
            all.addAll(commandPrefix);
        } else {
            if (entrypoint != null) {
                all.addAll(commandPrefix.subList(0, commandPrefix.size() - 1)); // the egress pair, without its "--"
            }
            all.addAll(tools.relayPair());
            all.add("--");
        }
        if (all.isEmpty()) {
            return agentCommand;
        }
        all.addAll(agentCommand);
        return List.copyOf(all);
    }

    /** Every read-only mount the container gets for its network and tool channel. */
    public List<Mount> containerMounts() {
        if (tools == null) {
            return mounts;
        }
        List<Mount> all = new ArrayList<>(mounts);
        all.addAll(tools.mounts());
        // Always mounted, also beside the egress relay: the agent's MCP client starts it as its stdio server
        // (agentgate-egress-relay --stdio), under the path the MCP client configuration names.
        all.add(tools.relay());
        return List.copyOf(all);
    }

    /** {@code --entrypoint}: the egress relay, or the channel's relay when only the channel needs one; null for the image's. */
    public String containerEntrypoint() {
        return entrypoint != null ? entrypoint : tools != null ? tools.relay().target() : null;
    }

    /** Every variable the network and the tool channel set in the container. */
    public Map<String, String> containerEnvironment() {
        if (tools == null) {
            return environment;
        }
        Map<String, String> all = new LinkedHashMap<>(environment);
        all.putAll(tools.environment());
        return Map.copyOf(all);
    }

    /** The same network with its mounts replaced (by their validated, resolved form). */
    public SandboxNetwork withMounts(List<Mount> validated) {
        return new SandboxNetwork(dockerNetwork, environment, validated, entrypoint, commandPrefix, tools);
    }

    /** The same network with the tool gateway's channel (validated by the caller's {@link MountValidator}). */
    public SandboxNetwork withTools(ToolChannel channel) {
        return new SandboxNetwork(dockerNetwork, environment, mounts, entrypoint, commandPrefix, channel);
    }
}
