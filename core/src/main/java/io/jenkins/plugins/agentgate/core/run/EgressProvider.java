package io.jenkins.plugins.agentgate.core.run;

import io.jenkins.plugins.agentgate.core.sandbox.SandboxNetwork;

/**
 * Seam for the egress proxy: asked only when the plan's network mode is allowlist. Without a provider, such
 * a plan is refused with a message naming the profile (the sandbox never opens a network by itself).
 * {@link ProxyEgressProvider} is the production implementation.
 */
@FunctionalInterface
public interface EgressProvider {
    Attachment attach(RunContext ctx) throws Exception;

    /** A network for one run; closed after the sandbox ended. */
    interface Attachment extends AutoCloseable {
        SandboxNetwork network();

        @Override
        void close() throws Exception;

        /** What went through the network, complete once {@link #close()} returned; null when nothing is recorded. */
        default EgressReport report() {
            return null;
        }
    }
}
