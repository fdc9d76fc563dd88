package io.jenkins.plugins.agentgate.core.sandbox;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The tool gateway's way into the sandbox. The gateway serves MCP on a Unix socket on the host; the relay inside
 * the container listens on {@code 127.0.0.1:port} and forwards each connection to that socket, whose directory is
 * bind-mounted read-only. It is not a way out: the gateway only answers MCP for the tools the plan grants, so a
 * channel is allowed with network mode {@code none} (then without any proxy variable) and rides along with the
 * egress relay when the plan has one (one relay process, two {@code --listen/--socket} pairs).
 *
 * @param port        port on the container's loopback (not the egress relay's)
 * @param socket      the gateway's socket as the container sees it, inside one of the mounted directories
 * @param mounts      read-only mounts under {@link SandboxNetwork#MOUNT_ROOT}: the socket directory, the MCP client
 *                    configuration
 * @param relay       the relay binary, read-only under {@link SandboxNetwork#MOUNT_ROOT}; always mounted (the agent's MCP
 *                    client runs it as {@code --stdio} bridge), the entrypoint only when no egress relay already is
 * @param environment variables for the agent (e.g. {@code AGENTGATE_MCP_URL}); never secrets, never proxy variables
 */
public record ToolChannel(int port, String socket, List<Mount> mounts, Mount relay, Map<String, String> environment) {
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    public ToolChannel {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(relay, "relay");
        mounts = List.copyOf(mounts);
        environment = Map.copyOf(environment);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("tool channel port " + port + " is not valid; expected 1-65535");
        }
        for (Mount m : mounts) {
            requireUnderRoot("tool channel mount", m);
        }
        requireUnderRoot("tool channel relay", relay);
        Mount.requireSafe("tool channel socket", socket);
        if (socket.contains("/..") || mounts.stream().noneMatch(m -> socket.startsWith(m.target() + "/"))) {
            throw new IllegalArgumentException("tool channel socket '" + socket
                    + "' is not inside one of the channel's mounts; expected the gateway's socket in its mounted directory");
        }
        for (Map.Entry<String, String> e : environment.entrySet()) {
            if (!ENV_NAME.matcher(e.getKey()).matches() || e.getValue().indexOf('\0') >= 0) {
                throw new IllegalArgumentException("tool channel variable '" + e.getKey() + "' is not valid; expected a plain name and value");
            }
            if (e.getKey().toLowerCase(java.util.Locale.ROOT).endsWith("_proxy")) {
                // The gateway is not a way out: it must not make the agent send its other traffic there.
                throw new IllegalArgumentException("tool channel variable " + e.getKey()
                        + " is a proxy variable; expected only the gateway's own variables");
            }
        }
    }

    private static void requireUnderRoot(String what, Mount m) {
        if (!m.readOnly()) {
            throw new IllegalArgumentException(what + " " + m.target() + " is read-write; expected read-only");
        }
        String t = m.target();
        if (!t.startsWith(SandboxNetwork.MOUNT_ROOT) || t.contains("/..") || t.length() <= SandboxNetwork.MOUNT_ROOT.length()) {
            throw new IllegalArgumentException(what + " target '" + t + "' is not under " + SandboxNetwork.MOUNT_ROOT
                    + "; expected a path there");
        }
    }

    /** The relay's arguments for this channel. */
    public List<String> relayPair() {
        return List.of("--listen", Integer.toString(port), "--socket", socket);
    }

    /** The same channel with its mounts replaced by their validated, resolved form. */
    public ToolChannel withMounts(List<Mount> validated, Mount validatedRelay) {
        return new ToolChannel(port, socket, validated, validatedRelay, environment);
    }
}
