package io.jenkins.plugins.agentgate.core.egress;

/** What the proxy did with one connection attempt. */
public enum EgressVerdict {
    /** Allowed and connected upstream. */
    ALLOWED,
    /** Refused by the network policy or a run limit: an unauthorized attempt. */
    DENIED,
    /** Allowed by policy but the destination could not be resolved or reached. */
    FAILED
}
