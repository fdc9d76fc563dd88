package io.jenkins.plugins.agentgate.core.gateway;

/** Rule ids of tool-call decisions (docs/policy.md, docs/tool-gateway.md). */
public final class ToolRules {
    /** Declared by the profile and every constrained argument is within its constraint. */
    public static final String ALLOWED = "tool.allowed";
    /** The tool is not among the run's MCP tools. */
    public static final String NOT_DECLARED = "tool.not-declared";
    /** Declared, but its connector does not offer a tool of that name. */
    public static final String NOT_OFFERED = "tool.not-offered";
    /** A constrained argument is absent. */
    public static final String ARGUMENT_MISSING = "tool.argument.missing";
    /** An argument (or the arguments) has the wrong JSON type for its constraint. */
    public static final String ARGUMENT_TYPE = "tool.argument.type";
    /** A path argument is not under any allowed prefix, or cannot be judged ('..', '~', NUL). */
    public static final String ARGUMENT_PREFIX = "tool.argument.prefix";
    /** An argument is not one of the allowed values. */
    public static final String ARGUMENT_VALUE = "tool.argument.value";
    /** The connector failed, timed out or is not running (verdict FAILED, not an unauthorized attempt). */
    public static final String CONNECTOR_FAILED = "tool.connector.failed";
    /** The gateway's own limit was reached (call refused before the connector). */
    public static final String LIMIT = "tool.limit";

    private ToolRules() {}
}
