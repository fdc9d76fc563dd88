package io.jenkins.plugins.agentgate.core.evidence;

/**
 * What ran the agent.
 *
 * @param imageRef         the image reference as requested
 * @param imageDigest      the resolved content digest ({@code sha256:...}) of the image that ran
 * @param agentgateVersion the Agent Gate version
 * @param dockerVersion    the Docker engine (server) version
 */
public record Toolchain(String imageRef, String imageDigest, String agentgateVersion, String dockerVersion) {}
