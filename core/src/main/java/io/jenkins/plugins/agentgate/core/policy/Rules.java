package io.jenkins.plugins.agentgate.core.policy;

/** Rule ids: stable names that decisions, evidence and docs/policy-rules.md share. */
public final class Rules {
    public static final String CLASS_MAPPED = "class.mapped";
    public static final String PROFILE_KNOWN = "profile.known";
    public static final String PROFILE_NARROWER = "profile.narrower";
    public static final String IMAGE_VALID = "image.valid";
    public static final String IMAGE_REQUIRED = "image.required";
    public static final String IMAGE_ALLOWLIST = "image.allowlist";
    public static final String IMAGE_DIGEST = "image.digest";
    public static final String TOOL_ALLOWLIST = "tool.allowlist";
    public static final String NETWORK_CLOSED = "network.closed";
    public static final String NETWORK_ALLOWLIST = "network.allowlist";
    public static final String NETWORK_DENYLIST = "network.denylist";
    public static final String NETWORK_SYNTAX = "network.syntax";
    public static final String MOUNT_ALLOWLIST = "mount.allowlist";
    public static final String WORKSPACE_ACCESS = "workspace.access";
    public static final String LIMIT_CPUS = "limit.cpus";
    public static final String LIMIT_MEMORY = "limit.memory";
    public static final String LIMIT_PIDS = "limit.pids";
    public static final String LIMIT_TIMEOUT = "limit.timeout";
    public static final String LIMIT_OUTPUT = "limit.output";
    public static final String CREDENTIAL_ALLOWLIST = "credential.allowlist";
    public static final String CREDENTIAL_TTL = "credential.ttl";
    public static final String CREDENTIAL_INJECTION = "credential.injection";
    public static final String CREDENTIAL_FILE_WHEN_OUTLASTING = "credential.file-when-outlasting";

    private Rules() {}
}
