package io.jenkins.plugins.agentgate.core.run;

import io.jenkins.plugins.agentgate.core.sandbox.ToolChannel;

/**
 * Seam for the tool gateway: asked only when the plan grants at least one MCP tool
 * ({@code GatewayConfig.needed(plan)}). Without a provider, such a plan is refused before any container starts,
 * with a message naming the profile and its tools (declared tools are enforced at the gateway, or not offered at all).
 * {@link McpToolGatewayProvider} is the production implementation.
 */
@FunctionalInterface
public interface ToolGatewayProvider {
    Attachment attach(RunContext ctx) throws Exception;

    /** One run's gateway; closed after the sandbox ended and before the evidence is written, on every outcome. */
    interface Attachment extends AutoCloseable {
        /** The sandbox side: mounts, relay pair and environment (MCP client configuration and URL). */
        ToolChannel channel();

        @Override
        void close() throws Exception;

        /** Every call the gateway decided, complete once {@link #close()} returned; null when nothing is recorded. */
        default ToolReport report() {
            return null;
        }
    }
}
