package io.jenkins.plugins.agentgate.core.evidence;

import java.time.Instant;

/**
 * One connection attempt through the run's egress proxy, as evidence records it (the evidence package does not
 * depend on the egress package; the run maps its records into these).
 *
 * @param sequence       1-based number of the attempt within the run
 * @param start          when the request head was received (or the connection refused)
 * @param method         {@code CONNECT} or the HTTP method of an absolute-URI request; empty when unparseable
 * @param host           requested host (lower-cased); empty when unparseable
 * @param port           requested port, or 0 when unparseable
 * @param verdict        {@code allowed}, {@code denied} (an unauthorized attempt) or {@code failed} (allowed, unreachable)
 * @param rule           the egress rule id that decided it
 * @param pattern        the allow or deny pattern that matched, or null
 * @param address        the IP address connected to, or null
 * @param bytesUp        bytes sent upstream
 * @param bytesDown      bytes returned to the sandbox
 * @param durationMillis from {@code start} to the end of the connection
 * @param end            how it ended, e.g. {@code completed}, {@code refused}, {@code idle-timeout}
 * @param detail         a short human explanation (masked)
 */
public record EgressAttempt(int sequence, Instant start, String method, String host, int port, String verdict, String rule,
                            String pattern, String address, long bytesUp, long bytesDown, long durationMillis, String end,
                            String detail) {}
