package io.jenkins.plugins.agentgate.core.egress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Name resolution for the proxy (the sandbox has no resolver of its own). Called only with syntactically
 * valid DNS names, never with IP literals. Tests inject a fixed mapping; production uses the host's resolver.
 */
@FunctionalInterface
public interface EgressResolver {

    /**
     * @return the addresses of {@code host}, in the order to try them; never empty
     * @throws UnknownHostException when the name does not resolve
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /** The host's resolver (JDK {@link InetAddress#getAllByName}, with its cache). */
    static EgressResolver system() {
        return host -> List.of(InetAddress.getAllByName(host));
    }
}
