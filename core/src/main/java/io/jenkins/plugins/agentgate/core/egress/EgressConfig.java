package io.jenkins.plugins.agentgate.core.egress;

import io.jenkins.plugins.agentgate.core.profile.NetworkPolicy;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Everything one run's egress proxy needs.
 *
 * @param runId                 run id; names the proxy's threads (letters, digits, '.', '_', '-'; at most 64)
 * @param network               the plan's network policy ({@code RunPlan.effective().network()})
 * @param limits                the proxy's bounds
 * @param resolver              name resolution (the sandbox has none)
 * @param allowPrivateAddresses whether allowed names may resolve to loopback, private or link-local addresses
 * @param baseDirectory         where the per-run directory (socket, relay) is created; a short local path
 * @param relayPort             port the relay listens on inside the container's loopback
 * @param relay                 the relay binary to mount
 * @param listener              called with each record as it is completed (progress output); may be null
 */
public record EgressConfig(String runId, NetworkPolicy network, EgressLimits limits, EgressResolver resolver,
                           boolean allowPrivateAddresses, Path baseDirectory, int relayPort, RelayBinary relay,
                           Consumer<EgressRecord> listener) {
    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    public static final int DEFAULT_RELAY_PORT = 3128;

    public EgressConfig {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(resolver, "resolver");
        Objects.requireNonNull(baseDirectory, "baseDirectory");
        Objects.requireNonNull(relay, "relay");
        if (!RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("egress run id '" + runId + "' is invalid; expected 1-64 of [A-Za-z0-9._-]");
        }
        if (relayPort < 1 || relayPort > 65535) {
            throw new IllegalArgumentException("egress relay port " + relayPort + " is invalid; expected 1-65535");
        }
    }

    /**
     * The production defaults: the host's resolver, public addresses only, the system temp directory,
     * relay port 3128, the bundled relay, no listener.
     */
    public static EgressConfig of(String runId, NetworkPolicy network, EgressLimits limits) {
        return new EgressConfig(runId, network, limits, EgressResolver.system(), false,
                Path.of(System.getProperty("java.io.tmpdir")), DEFAULT_RELAY_PORT, RelayBinary.bundled(), null);
    }

    public EgressConfig withResolver(EgressResolver r) {
        return new EgressConfig(runId, network, limits, r, allowPrivateAddresses, baseDirectory, relayPort, relay, listener);
    }

    public EgressConfig withPrivateAddressesAllowed(boolean allow) {
        return new EgressConfig(runId, network, limits, resolver, allow, baseDirectory, relayPort, relay, listener);
    }

    public EgressConfig withBaseDirectory(Path dir) {
        return new EgressConfig(runId, network, limits, resolver, allowPrivateAddresses, dir, relayPort, relay, listener);
    }

    public EgressConfig withListener(Consumer<EgressRecord> l) {
        return new EgressConfig(runId, network, limits, resolver, allowPrivateAddresses, baseDirectory, relayPort, relay, l);
    }

    public EgressConfig withLimits(EgressLimits l) {
        return new EgressConfig(runId, network, l, resolver, allowPrivateAddresses, baseDirectory, relayPort, relay, listener);
    }
}
