package io.jenkins.plugins.agentgate.core.gateway;

/** Outcome of one tool call at the gateway. */
public enum ToolVerdict {
    /** Declared and within its constraints; forwarded to the connector, which answered. */
    ALLOWED,
    /** Refused by policy (an unauthorized attempt); the connector never saw it. */
    DENIED,
    /** Allowed, but the connector failed, hung past the call timeout or is gone. */
    FAILED
}
