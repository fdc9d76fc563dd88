package io.jenkins.plugins.agentgate.core.approval;

import io.jenkins.plugins.agentgate.core.profile.ApprovalRule;
import io.jenkins.plugins.agentgate.core.profile.Blackout;
import io.jenkins.plugins.agentgate.core.profile.TimeWindow;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * When an approved action may start: inside one of the weekly windows (any time when there are none) and never
 * inside a blackout.
 *
 * <p>Each window occurrence and each blackout is an interval of instants {@code [start, end)}. Local times turn
 * into instants by one deliberate rule, {@link #firstInstantAtOrAfter}: in a daylight-saving gap (a local time
 * that never happens) the time moves to the end of the gap, the first instant the wall clock shows a later time;
 * in an overlap (a local time that happens twice) the first occurrence counts. So a window never repeats or
 * lengthens because clocks went back, a window starting inside a gap opens when the gap ends, and a window
 * that lies wholly inside a gap does not open that day. An overnight window (end not after start) belongs to the
 * day it starts on.
 */
public final class Schedule {
    /** Bound on the search for the next opening: each step passes one window occurrence or one blackout. */
    private static final int MAX_STEPS = 10_000;

    private final List<TimeWindow> windows;
    private final List<Blackout> blackouts;

    public Schedule(List<TimeWindow> windows, List<Blackout> blackouts) {
        this.windows = List.copyOf(Objects.requireNonNull(windows, "windows"));
        this.blackouts = List.copyOf(Objects.requireNonNull(blackouts, "blackouts"));
    }

    public static Schedule of(ApprovalRule rule) {
        return new Schedule(rule.windows(), rule.blackouts());
    }

    public boolean isUnrestricted() {
        return windows.isEmpty() && blackouts.isEmpty();
    }

    /** True when an approved action may start at {@code t}. */
    public boolean isOpen(Instant t) {
        return blackoutAt(t).isEmpty() && inWindow(t);
    }

    /** True when {@code t} lies in a window occurrence (always, when there are no windows). */
    public boolean inWindow(Instant t) {
        if (windows.isEmpty()) {
            return true;
        }
        for (TimeWindow w : windows) {
            LocalDate d = LocalDate.ofInstant(t, w.zone());
            for (LocalDate day = d.minusDays(2); !day.isAfter(d.plusDays(1)); day = day.plusDays(1)) {
                Interval i = occurrence(w, day);
                if (i != null && i.contains(t)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The blackout in force at {@code t}, if any (the one ending last when several overlap). */
    public Optional<Blackout> blackoutAt(Instant t) {
        return blackouts.stream().filter(b -> interval(b).contains(t))
                .max(Comparator.comparing(b -> interval(b).end()));
    }

    /** The end of a blackout as an instant. */
    public static Instant end(Blackout b) {
        return interval(b).end();
    }

    /**
     * The earliest instant at or after {@code t} at which the action may start: {@code t} itself when open, else
     * the start of a window occurrence or the end of a blackout. Empty when no window ever opens.
     */
    public Optional<Instant> nextOpening(Instant t) {
        Instant c = t;
        for (int step = 0; step < MAX_STEPS; step++) {
            Optional<Blackout> b = blackoutAt(c);
            if (b.isPresent()) {
                c = interval(b.get()).end();
                continue;
            }
            if (!inWindow(c)) {
                Optional<Instant> n = nextWindowStart(c);
                if (n.isEmpty()) {
                    return Optional.empty();
                }
                c = n.get();
                continue;
            }
            return Optional.of(c);
        }
        return Optional.empty();
    }

    /** The first window occurrence start strictly after {@code t}. */
    private Optional<Instant> nextWindowStart(Instant t) {
        Instant best = null;
        for (TimeWindow w : windows) {
            LocalDate d = LocalDate.ofInstant(t, w.zone());
            for (LocalDate day = d.minusDays(1); !day.isAfter(d.plusDays(8)); day = day.plusDays(1)) {
                Interval i = occurrence(w, day);
                if (i != null && i.start().isAfter(t) && (best == null || i.start().isBefore(best))) {
                    best = i.start();
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** The occurrence of a window that starts on {@code day}, or null when the window is not on that weekday. */
    static Interval occurrence(TimeWindow w, LocalDate day) {
        if (!w.days().contains(day.getDayOfWeek())) {
            return null;
        }
        LocalDate endDay = w.to().isAfter(w.from()) ? day : day.plusDays(1);
        return new Interval(firstInstantAtOrAfter(day.atTime(w.from()), w.zone()),
                firstInstantAtOrAfter(endDay.atTime(w.to()), w.zone()));
    }

    static Interval interval(Blackout b) {
        return new Interval(firstInstantAtOrAfter(b.from(), b.zone()), firstInstantAtOrAfter(b.to(), b.zone()));
    }

    /**
     * The first instant at which the wall clock in {@code zone} shows {@code local} or later: the end of the gap when
     * {@code local} falls into one, the earlier of two instants when it falls into an overlap.
     */
    public static Instant firstInstantAtOrAfter(LocalDateTime local, ZoneId zone) {
        ZoneRules rules = zone.getRules();
        if (rules.getValidOffsets(local).isEmpty()) {
            ZoneOffsetTransition gap = rules.getTransition(local);
            return gap.getInstant();
        }
        return local.atZone(zone).toInstant(); // an overlap resolves to the earlier offset: the first occurrence
    }

    /** A half-open interval of instants. */
    record Interval(Instant start, Instant end) {
        boolean contains(Instant t) {
            return !t.isBefore(start) && t.isBefore(end);
        }
    }
}
