package io.jenkins.plugins.agentgate.core.egress;

import java.time.Duration;
import java.util.Objects;

/**
 * Bounds of one run's egress proxy. Every one is enforced by the proxy itself.
 *
 * @param maxConnections concurrently open connections; more are refused with {@link EgressRules#LIMIT_CONNECTIONS}
 * @param maxBytes       bytes per run, up and down together; the connection that crosses it is cut and later ones refused
 * @param idleTimeout    a connection with no byte moving either way for this long is cut
 * @param totalTimeout   the proxy's lifetime; after it every connection is cut and new ones refused
 * @param connectTimeout time to connect to one upstream address
 * @param maxHeadBytes   size of a request head (request line and headers) the proxy accepts
 * @param maxRecords     connection records kept; further attempts are still counted in the summary
 */
public record EgressLimits(int maxConnections, long maxBytes, Duration idleTimeout, Duration totalTimeout,
                           Duration connectTimeout, int maxHeadBytes, int maxRecords) {

    public EgressLimits {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(totalTimeout, "totalTimeout");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        require(maxConnections >= 1 && maxConnections <= 1024, "maxConnections", maxConnections, "1..1024");
        require(maxBytes >= 1, "maxBytes", maxBytes, "at least 1");
        require(positive(idleTimeout), "idleTimeout", idleTimeout, "a positive duration");
        require(positive(totalTimeout), "totalTimeout", totalTimeout, "a positive duration");
        require(positive(connectTimeout), "connectTimeout", connectTimeout, "a positive duration");
        require(maxHeadBytes >= 1024 && maxHeadBytes <= 1 << 20, "maxHeadBytes", maxHeadBytes, "1024..1048576");
        require(maxRecords >= 1, "maxRecords", maxRecords, "at least 1");
    }

    /**
     * Defaults for a run with the given wall-clock timeout: 32 connections, 1 GiB, 5 minutes idle, the run's
     * timeout plus one minute in total (the sandbox's own timeout fires first), 10 s connect, 64 KiB heads,
     * 10 000 records.
     */
    public static EgressLimits forRun(Duration runTimeout) {
        return new EgressLimits(32, 1L << 30, Duration.ofMinutes(5), runTimeout.plusMinutes(1), Duration.ofSeconds(10),
                64 * 1024, 10_000);
    }

    public EgressLimits withMaxConnections(int n) {
        return new EgressLimits(n, maxBytes, idleTimeout, totalTimeout, connectTimeout, maxHeadBytes, maxRecords);
    }

    public EgressLimits withMaxBytes(long n) {
        return new EgressLimits(maxConnections, n, idleTimeout, totalTimeout, connectTimeout, maxHeadBytes, maxRecords);
    }

    public EgressLimits withIdleTimeout(Duration d) {
        return new EgressLimits(maxConnections, maxBytes, d, totalTimeout, connectTimeout, maxHeadBytes, maxRecords);
    }

    public EgressLimits withTotalTimeout(Duration d) {
        return new EgressLimits(maxConnections, maxBytes, idleTimeout, d, connectTimeout, maxHeadBytes, maxRecords);
    }

    public EgressLimits withMaxRecords(int n) {
        return new EgressLimits(maxConnections, maxBytes, idleTimeout, totalTimeout, connectTimeout, maxHeadBytes, n);
    }

    private static boolean positive(Duration d) {
        return !d.isNegative() && !d.isZero();
    }

    private static void require(boolean ok, String field, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException("egress limit " + field + " is " + value + "; expected " + expected);
        }
    }
}
