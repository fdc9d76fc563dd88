package io.jenkins.plugins.agentgate.core.profile;

import java.util.List;

/**
 * Outbound network of the sandbox.
 *
 * @param mode  {@link NetworkMode#NONE} (no interface but loopback) or {@link NetworkMode#ALLOWLIST}
 * @param allow destinations reachable when {@code mode} is allowlist, as {@code host[:port]} patterns
 * @param deny  destinations refused even when an allow pattern matches (deny wins)
 */
public record NetworkPolicy(NetworkMode mode, List<String> allow, List<String> deny) {
    public NetworkPolicy {
        allow = Lists.sortedDistinct(allow);
        deny = Lists.sortedDistinct(deny);
        if (mode == NetworkMode.NONE) {
            allow = List.of(); // a closed network has nothing to allow; keeps hashes canonical
        }
    }

    public static NetworkPolicy closed() {
        return new NetworkPolicy(NetworkMode.NONE, List.of(), List.of());
    }

    public List<Destination> allowed() {
        return allow.stream().map(Destination::parse).toList();
    }

    public List<Destination> denied() {
        return deny.stream().map(Destination::parse).toList();
    }

    /** Whether a concrete host and port may be reached: allowlisted, matched by an allow pattern, not denied. */
    public boolean permits(String host, int port) {
        if (mode != NetworkMode.ALLOWLIST) {
            return false;
        }
        for (Destination d : denied()) {
            if (d.matches(host, port)) {
                return false;
            }
        }
        for (Destination d : allowed()) {
            if (d.matches(host, port)) {
                return true;
            }
        }
        return false;
    }
}
