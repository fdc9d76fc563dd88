package io.jenkins.plugins.agentgate.core.evidence;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * When the run started and ended, and how long its phases took.
 *
 * @param startedAt      when the orchestrator accepted the request
 * @param endedAt        when the run ended (before the bundle was written)
 * @param durationMillis endedAt - startedAt
 * @param phasesMillis   phase name (e.g. {@code policy}, {@code approval}, {@code sandbox}, {@code capture}) to millis
 */
public record Timings(Instant startedAt, Instant endedAt, long durationMillis, Map<String, Long> phasesMillis) {
    public Timings {
        phasesMillis = phasesMillis == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(phasesMillis));
    }

    public static Timings of(Instant startedAt, Instant endedAt, Map<String, Long> phasesMillis) {
        return new Timings(startedAt, endedAt, Duration.between(startedAt, endedAt).toMillis(), phasesMillis);
    }
}
