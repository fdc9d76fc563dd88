package io.jenkins.plugins.agentgate.core.run;

import io.jenkins.plugins.agentgate.core.egress.EgressConfig;
import io.jenkins.plugins.agentgate.core.egress.EgressLimits;
import io.jenkins.plugins.agentgate.core.egress.EgressProxy;
import io.jenkins.plugins.agentgate.core.egress.SandboxEgress;
import io.jenkins.plugins.agentgate.core.profile.SandboxProfile;
import io.jenkins.plugins.agentgate.core.sandbox.Mount;
import io.jenkins.plugins.agentgate.core.sandbox.SandboxNetwork;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * The production {@link EgressProvider}: one {@link EgressProxy} per run, started before the container, its
 * socket directory and relay bind-mounted read-only into a {@code --network none} sandbox, the relay as the
 * entrypoint. {@link GovernedRun} closes the attachment after the container is removed, on every outcome;
 * the records and summary are read then, so they are complete.
 *
 * <pre>
 * GovernedRun.builder(sandbox).egress(new ProxyEgressProvider()).build();
 * // tests: a fixed resolver and loopback destinations
 * new ProxyEgressProvider(cfg -> cfg.withResolver(fixed).withPrivateAddressesAllowed(true));
 * </pre>
 */
public final class ProxyEgressProvider implements EgressProvider {
    /** Proxy directories of crashed runs older than this are removed before a new proxy starts. */
    static final Duration STALE = Duration.ofHours(1);

    private final UnaryOperator<EgressConfig> configure;

    /** Production defaults ({@link EgressConfig#of}): host resolver, public addresses only, bundled relay. */
    public ProxyEgressProvider() {
        this(UnaryOperator.identity());
    }

    /** @param configure adjusts each run's config (listener, resolver, base directory, limits) */
    public ProxyEgressProvider(UnaryOperator<EgressConfig> configure) {
        this.configure = Objects.requireNonNull(configure, "configure");
    }

    @Override
    public Attachment attach(RunContext ctx) throws IOException {
        SandboxProfile p = ctx.plan().effective();
        EgressConfig cfg = configure.apply(EgressConfig.of(ctx.runId(), p.network(), EgressLimits.forRun(p.limits().timeout())));
        try {
            EgressProxy.reapStale(cfg.baseDirectory(), STALE);
        } catch (IOException e) {
            // a leftover of a crashed run is not this run's problem; the new proxy has its own directory
        }
        EgressProxy proxy = EgressProxy.start(cfg);
        try {
            return new ProxyAttachment(proxy, network(proxy.sandbox()), proxy.sandbox().relaySha256());
        } catch (RuntimeException e) {
            proxy.close();
            throw e;
        }
    }

    /** The sandbox side of the proxy, as the sandbox package's network (pure). */
    static SandboxNetwork network(SandboxEgress e) {
        List<Mount> mounts = new ArrayList<>();
        for (SandboxEgress.Mount m : e.mounts()) {
            mounts.add(new Mount(m.source(), m.target(), true));
        }
        return SandboxNetwork.proxied(e.environment(), mounts, e.entrypoint(), e.commandPrefix());
    }

    private static final class ProxyAttachment implements Attachment {
        private final EgressProxy proxy;
        private final SandboxNetwork network;
        private final String relaySha256;

        ProxyAttachment(EgressProxy proxy, SandboxNetwork network, String relaySha256) {
            this.proxy = proxy;
            this.network = network;
            this.relaySha256 = relaySha256;
        }

        @Override
        public SandboxNetwork network() {
            return network;
        }

        @Override
        public void close() {
            proxy.close();
        }

        @Override
        public EgressReport report() {
            return new EgressReport(proxy.records(), proxy.summary(), relaySha256);
        }
    }
}
