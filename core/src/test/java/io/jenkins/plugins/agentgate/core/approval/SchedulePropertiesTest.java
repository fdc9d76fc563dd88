package io.jenkins.plugins.agentgate.core.approval;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.profile.Blackout;
import io.jenkins.plugins.agentgate.core.profile.TimeWindow;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Window arithmetic across time zones and daylight-saving changes. Instants are drawn around real transitions of
 * zones with ordinary, negative (Dublin), half-hour (Lord Howe) and no daylight saving.
 */
class SchedulePropertiesTest {
    private static final List<ZoneId> ZONES = List.of("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
            "Europe/Dublin", "America/Santiago", "Asia/Kolkata", "Pacific/Chatham", "Africa/Casablanca").stream()
            .map(ZoneId::of).toList();
    private static final Instant FROM = Instant.parse("2025-01-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2028-12-31T00:00:00Z");

    record Case(Schedule schedule, List<TimeWindow> windows, List<Blackout> blackouts, Instant t) {}

    @Provide
    Arbitrary<ZoneId> zones() {
        return Arbitraries.of(ZONES);
    }

    /** An instant within three days of a daylight-saving transition of {@code zone} (any instant where it has none). */
    Arbitrary<Instant> nearTransition(ZoneId zone) {
        return Combinators.combine(Arbitraries.longs().between(FROM.getEpochSecond(), TO.getEpochSecond()),
                Arbitraries.longs().between(-3 * 86400, 3 * 86400), Arbitraries.of(0L, 0L, 1L, -1L, 59L))
                .as((base, offset, jitter) -> {
                    Instant b = Instant.ofEpochSecond(base);
                    ZoneOffsetTransition tr = zone.getRules().nextTransition(b);
                    Instant anchor = tr == null ? b : tr.getInstant();
                    // offsets on whole minutes most of the time, so window edges are hit exactly
                    return anchor.plusSeconds(offset / 60 * 60 + jitter);
                });
    }

    Arbitrary<LocalTime> times() {
        Arbitrary<LocalTime> nearDst = Arbitraries.integers().between(0, 4 * 60 - 1).map(m -> LocalTime.of(m / 60, m % 60));
        Arbitrary<LocalTime> any = Arbitraries.integers().between(0, 24 * 4 - 1).map(q -> LocalTime.of(q / 4, q % 4 * 15));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, nearDst), net.jqwik.api.Tuple.of(2, any));
    }

    Arbitrary<TimeWindow> window(ZoneId zone) {
        return Combinators.combine(Arbitraries.of(DayOfWeek.values()).set().ofMinSize(1).ofMaxSize(7), times(), times(),
                Arbitraries.of(zone, zone, zone, ZoneId.of("UTC")))
                .filter((days, from, to, z) -> !from.equals(to))
                .as((days, from, to, z) -> new TimeWindow(List.copyOf(days), from, to, z));
    }

    Arbitrary<Blackout> blackout(ZoneId zone, Instant t) {
        return Combinators.combine(Arbitraries.longs().between(-3 * 86400 / 60, 3 * 86400 / 60),
                Arbitraries.longs().between(1, 3 * 86400 / 60), Arbitraries.of(zone, ZoneId.of("America/New_York")))
                .as((startMin, lengthMin, z) -> {
                    LocalDateTime from = LocalDateTime.ofInstant(t, z).withSecond(0).withNano(0).plusMinutes(startMin);
                    return new Blackout(from, from.plusMinutes(lengthMin), z, "freeze");
                });
    }

    @Provide
    Arbitrary<Case> cases() {
        return zones().flatMap(zone -> nearTransition(zone).flatMap(t -> Combinators.combine(
                window(zone).list().ofMaxSize(3), blackout(zone, t).list().ofMaxSize(2))
                .as((ws, bs) -> new Case(new Schedule(ws, bs), ws, bs, t))));
    }

    @Property(tries = 250)
    void isOpenIffTheNextOpeningIsNow(@ForAll("cases") Case c) {
        assertThat(c.schedule().isOpen(c.t())).isEqualTo(c.schedule().nextOpening(c.t()).equals(Optional.of(c.t())));
    }

    @Property(tries = 200)
    void theNextOpeningIsOpenAndNothingBeforeItIs(@ForAll("cases") Case c) {
        Optional<Instant> next = c.schedule().nextOpening(c.t());
        if (next.isEmpty()) {
            // only windows that never produce an occurrence can be closed forever (blackouts are finite)
            assertThat(c.windows()).isNotEmpty();
            return;
        }
        Instant n = next.get();
        assertThat(n).isAfterOrEqualTo(c.t());
        assertThat(c.schedule().isOpen(n)).isTrue();
        if (n.isAfter(c.t())) {
            assertThat(c.schedule().isOpen(n.minusSeconds(1))).isFalse();
            long span = Duration.between(c.t(), n).getSeconds();
            for (int i = 0; i < 200; i++) { // sample the closed stretch evenly
                Instant probe = c.t().plusSeconds(span * i / 200);
                assertThat(c.schedule().isOpen(probe)).as("open at %s, before the next opening %s", probe, n).isFalse();
            }
        }
    }

    @Property(tries = 200)
    void aTimeInsideABlackoutIsNeverOpen(@ForAll("cases") Case c, @ForAll("fractions") double where) {
        for (Blackout b : c.blackouts()) {
            Schedule.Interval i = Schedule.interval(b);
            if (!i.end().isAfter(i.start())) {
                continue; // a blackout wholly inside a gap covers no instant
            }
            Instant inside = i.start().plusSeconds((long) (Duration.between(i.start(), i.end()).getSeconds() * where));
            assertThat(c.schedule().isOpen(inside)).isFalse();
            c.schedule().nextOpening(inside).ifPresent(n -> assertThat(n).isAfterOrEqualTo(i.end()));
        }
    }

    @Provide
    Arbitrary<Double> fractions() {
        return Arbitraries.doubles().between(0, 0.999).ofScale(3);
    }

    @Property(tries = 250)
    void aWindowIsOpenExactlyWhenItsWallClockShowsATimeInsideIt(@ForAll("windowsAndInstants") WindowCase c) {
        TimeWindow w = c.window();
        ZonedDateTime local = c.t().atZone(w.zone());
        LocalTime lt = local.toLocalTime();
        boolean expected;
        if (w.to().isAfter(w.from())) {
            expected = w.days().contains(local.getDayOfWeek()) && !lt.isBefore(w.from()) && lt.isBefore(w.to());
        } else {
            expected = w.days().contains(local.getDayOfWeek()) && !lt.isBefore(w.from())
                    || w.days().contains(local.getDayOfWeek().minus(1)) && lt.isBefore(w.to());
        }
        assertThat(new Schedule(List.of(w), List.of()).isOpen(c.t())).as("%s at %s (%s)", w, c.t(), local).isEqualTo(expected);
    }

    record WindowCase(TimeWindow window, Instant t) {}

    @Provide
    Arbitrary<WindowCase> windowsAndInstants() {
        return zones().flatMap(z -> Combinators.combine(window(z),
                nearTransition(z)).as(WindowCase::new));
    }

    @Property(tries = 200)
    void anInstantWhoseWallTimeLiesInABlackoutIsNeverOpen(@ForAll("cases") Case c) {
        // Blackouts err on the long side: whatever a clock change does, they cover every wall time from start to end.
        for (Blackout b : c.blackouts()) {
            LocalDateTime local = LocalDateTime.ofInstant(c.t(), b.zone());
            if (!local.isBefore(b.from()) && local.isBefore(b.to())) {
                assertThat(c.schedule().isOpen(c.t())).as("%s shows %s inside %s", c.t(), local, b).isFalse();
            }
        }
    }
}
