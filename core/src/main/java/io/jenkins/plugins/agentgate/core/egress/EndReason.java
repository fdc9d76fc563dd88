package io.jenkins.plugins.agentgate.core.egress;

/** How a connection through the proxy ended. */
public enum EndReason {
    /** Both sides finished normally. */
    COMPLETED,
    /** Refused before any upstream connection (see the record's verdict and rule). */
    REFUSED,
    /** No byte moved in either direction for the idle timeout. */
    IDLE_TIMEOUT,
    /** The run's byte budget ran out while this connection was open. */
    BYTE_LIMIT,
    /** The run's total egress time ran out while this connection was open. */
    TOTAL_TIMEOUT,
    /** The proxy was closed (the sandbox stopped) while this connection was open. */
    PROXY_CLOSED,
    /** An I/O error on either side. */
    IO_ERROR
}
