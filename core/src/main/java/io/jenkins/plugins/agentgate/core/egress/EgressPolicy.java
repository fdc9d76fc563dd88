package io.jenkins.plugins.agentgate.core.egress;

import io.jenkins.plugins.agentgate.core.policy.Rules;
import io.jenkins.plugins.agentgate.core.profile.Destination;
import io.jenkins.plugins.agentgate.core.profile.NetworkMode;
import io.jenkins.plugins.agentgate.core.profile.NetworkPolicy;
import java.util.List;
import java.util.Objects;

/**
 * The plan's network policy, evaluated per connection with the rule that decided. Same semantics as
 * {@link NetworkPolicy#permits}: deny wins; {@code *.example.com} matches subdomains only; IP literals and
 * single-label names only when listed literally.
 */
public final class EgressPolicy {
    private final NetworkPolicy network;
    private final List<Destination> allow;
    private final List<Destination> deny;

    public EgressPolicy(NetworkPolicy network) {
        this.network = Objects.requireNonNull(network, "network");
        this.allow = network.allowed();
        this.deny = network.denied();
    }

    public NetworkPolicy network() {
        return network;
    }

    public EgressDecision decide(String host, int port) {
        if (network.mode() != NetworkMode.ALLOWLIST) {
            return new EgressDecision(false, Rules.NETWORK_CLOSED, null);
        }
        for (Destination d : deny) {
            if (d.matches(host, port)) {
                return new EgressDecision(false, EgressRules.DENYLIST, d.toString());
            }
        }
        for (Destination d : allow) {
            if (d.matches(host, port)) {
                return new EgressDecision(true, EgressRules.ALLOWLIST, d.toString());
            }
        }
        return new EgressDecision(false, EgressRules.NOT_ALLOWED, null);
    }
}
