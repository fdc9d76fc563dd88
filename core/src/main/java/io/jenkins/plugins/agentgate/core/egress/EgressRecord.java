package io.jenkins.plugins.agentgate.core.egress;

import java.time.Instant;
import java.util.Locale;

/**
 * One connection attempt through the egress proxy: the decision and what the connection then moved.
 * A plain record, so the evidence bundle and the run summary can take it as it is.
 *
 * @param sequence       1-based number of the attempt within the run
 * @param start          when the request head was received (or the connection refused)
 * @param method         {@code CONNECT} or the HTTP method of an absolute-URI request; empty when unparseable
 * @param host           requested host as the client wrote it (lower-cased); empty when unparseable
 * @param port           requested port, or 0 when unparseable
 * @param verdict        allowed, denied (an unauthorized attempt) or failed (allowed but unreachable)
 * @param rule           rule id from {@link EgressRules}
 * @param pattern        the allow or deny pattern that matched, or null
 * @param address        the IP address connected to, or null
 * @param bytesUp        bytes sent upstream (request head included)
 * @param bytesDown      bytes returned to the sandbox (the proxy's own responses excluded)
 * @param durationMillis from {@code start} to the end of the connection
 * @param end            how it ended
 * @param detail         a short human explanation
 */
public record EgressRecord(int sequence, Instant start, String method, String host, int port, EgressVerdict verdict,
                           String rule, String pattern, String address, long bytesUp, long bytesDown,
                           long durationMillis, EndReason end, String detail) {

    /** Whether this attempt counts as unauthorized (refused by policy or by a limit). */
    public boolean unauthorized() {
        return verdict == EgressVerdict.DENIED;
    }

    /** One line for progress output (CLI and build log): verdict, method, destination and rule. */
    public String describe() {
        return "egress " + verdict.name().toLowerCase(Locale.ROOT) + " " + (method.isEmpty() ? "?" : method) + " "
                + (host.isEmpty() ? "?" : host + ":" + port) + " [" + rule + "]";
    }
}
