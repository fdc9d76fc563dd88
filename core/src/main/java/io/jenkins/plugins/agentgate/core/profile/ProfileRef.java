package io.jenkins.plugins.agentgate.core.profile;

/** How evidence names a profile: id, version and the hash of its canonical form. */
public record ProfileRef(String id, int version, String hash) {}
