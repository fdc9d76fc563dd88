package io.jenkins.plugins.agentgate.core.evidence;

/**
 * A file inside the bundle, named relative to the bundle directory, and one subject of the statement.
 *
 * @param name   path inside the bundle, '/'-separated, e.g. {@code patch.diff} or {@code artifacts/report.md}
 * @param sha256 lower-case hex SHA-256 of its bytes
 * @param size   its length in bytes
 */
public record BundleFile(String name, String sha256, long size) {}
