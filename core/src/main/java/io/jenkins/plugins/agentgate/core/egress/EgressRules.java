package io.jenkins.plugins.agentgate.core.egress;

import io.jenkins.plugins.agentgate.core.policy.Rules;

/**
 * Rule ids of egress decisions, shared by records, evidence and docs/egress.md. Policy verdicts reuse the
 * policy engine's network rule ids; the rest name the proxy's own limits and failures.
 */
public final class EgressRules {
    /** Allowed: an allow pattern matched (the record names it). */
    public static final String ALLOWLIST = Rules.NETWORK_ALLOWLIST;
    /** Denied: a deny pattern matched (deny wins over allow). */
    public static final String DENYLIST = Rules.NETWORK_DENYLIST;
    /** Denied: no allow pattern matched (including IP literals and single-label names not listed literally). */
    public static final String NOT_ALLOWED = "network.not-allowlisted";
    /** Denied: the request was not a well-formed proxy request (bad request line, target or host name). */
    public static final String MALFORMED = "egress.request.malformed";
    /** Denied: an allowed name resolved to a loopback, private, link-local or otherwise non-public address. */
    public static final String PRIVATE_ADDRESS = "egress.address.private";
    /** Denied: the run already has the maximum number of open connections. */
    public static final String LIMIT_CONNECTIONS = "egress.limit.connections";
    /** Denied, or cut: the run's byte budget (up + down) is spent. */
    public static final String LIMIT_BYTES = "egress.limit.bytes";
    /** Denied, or cut: the run's total egress time is over. */
    public static final String LIMIT_TOTAL_TIME = "egress.limit.total-time";
    /** Denied: the client sent no complete request within the idle timeout. */
    public static final String LIMIT_IDLE = "egress.limit.idle";
    /** Failed: the allowed name did not resolve. */
    public static final String RESOLVE_FAILED = "egress.resolve.failed";
    /** Failed: no resolved address accepted the connection within the connect timeout. */
    public static final String CONNECT_FAILED = "egress.connect.failed";

    /**
     * Denied: what the sandbox handed the egress pump instead of a connection was not one (a file, a pipe, a
     * datagram or listening socket, several descriptors); see docs/egress.md.
     */
    public static final String RELAY_DESCRIPTOR = "egress.relay.descriptor-refused";

    private EgressRules() {}
}
