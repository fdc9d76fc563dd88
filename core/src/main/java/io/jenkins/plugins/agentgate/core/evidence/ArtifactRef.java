package io.jenkins.plugins.agentgate.core.evidence;

/**
 * A final artifact of the run: where it came from and the copy kept in the bundle.
 *
 * @param path   the path the orchestrator named (workspace-relative when inside the workspace)
 * @param name   the copy's name inside the bundle ({@code artifacts/...})
 * @param sha256 lower-case hex SHA-256
 * @param size   bytes
 */
public record ArtifactRef(String path, String name, String sha256, long size) {}
