package io.jenkins.plugins.agentgate.core.approval;

import io.jenkins.plugins.agentgate.core.profile.ApprovalRule;
import io.jenkins.plugins.agentgate.core.profile.Blackout;
import io.jenkins.plugins.agentgate.core.profile.TimeWindow;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
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
 * <p>Daylight-saving changes are handled by one deliberate rule each, documented in docs/approvals.md:
 * <ul>
 * <li>A window is a permission and follows the wall clock: it is open exactly when the wall clock in its zone shows
 * a time inside it on one of its days (for an overnight window, whose end is not after its start, the part after
 * midnight belongs to the day it started on). A spring-forward gap shortens a window (one wholly inside the gap does
 * not open that day); a fall-back overlap lengthens it (the repeated wall times are inside it both times).</li>
 * <li>A blackout is a prohibition and errs on the long side: it lasts from the first instant the wall clock shows
 * its start to the last instant it shows its end, so a clock change never shortens or interrupts it.</li>
 * </ul>
 */
public final class Schedule {
    /** Bound on the search for the next opening: each step passes one window start, clock change or blackout. */
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

    /** True when the wall clock of a window's zone shows a time inside it at {@code t} (always, when there are none). */
    public boolean inWindow(Instant t) {
        if (windows.isEmpty()) {
            return true;
        }
        for (TimeWindow w : windows) {
            if (shows(w, t)) {
                return true;
            }
        }
        return false;
    }

    static boolean shows(TimeWindow w, Instant t) {
        LocalDateTime local = LocalDateTime.ofInstant(t, w.zone());
        LocalTime lt = local.toLocalTime();
        DayOfWeek day = local.getDayOfWeek();
        if (w.to().isAfter(w.from())) {
            return w.days().contains(day) && !lt.isBefore(w.from()) && lt.isBefore(w.to());
        }
        return w.days().contains(day) && !lt.isBefore(w.from()) || w.days().contains(day.minus(1)) && lt.isBefore(w.to());
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

    /**
     * The first instant strictly after {@code t} at which a window may open: the wall clock reaching a window's start
     * (both times in an overlap; the jump past it in a gap), or any clock change of a window's zone (a fall-back can
     * re-enter a window).
     */
    private Optional<Instant> nextWindowStart(Instant t) {
        Instant best = null;
        for (TimeWindow w : windows) {
            if (w.days().isEmpty()) {
                continue;
            }
            LocalDate d = LocalDate.ofInstant(t, w.zone());
            for (LocalDate day = d.minusDays(1); !day.isAfter(d.plusDays(8)); day = day.plusDays(1)) {
                if (w.days().contains(day.getDayOfWeek())) {
                    for (Instant start : instantsShowing(day.atTime(w.from()), w.zone())) {
                        if (start.isAfter(t) && (best == null || start.isBefore(best))) {
                            best = start;
                        }
                    }
                }
            }
            ZoneOffsetTransition change = w.zone().getRules().nextTransition(t);
            if (change != null && (best == null || change.getInstant().isBefore(best))) {
                best = change.getInstant();
            }
        }
        return Optional.ofNullable(best);
    }

    static Interval interval(Blackout b) {
        return new Interval(firstInstantAtOrAfter(b.from(), b.zone()), lastInstantShowing(b.to(), b.zone()));
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

    /** Every instant at which the wall clock reaches {@code local}: two in an overlap, the gap's end in a gap. */
    static List<Instant> instantsShowing(LocalDateTime local, ZoneId zone) {
        List<java.time.ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
        if (offsets.isEmpty()) {
            return List.of(zone.getRules().getTransition(local).getInstant());
        }
        return offsets.stream().map(o -> local.toInstant(o)).toList();
    }

    /**
     * The last instant at which the wall clock in {@code zone} shows {@code local}: the later of two instants in an
     * overlap, the end of the gap when {@code local} falls into one (the clock jumps past it there).
     */
    public static Instant lastInstantShowing(LocalDateTime local, ZoneId zone) {
        ZoneRules rules = zone.getRules();
        if (rules.getValidOffsets(local).isEmpty()) {
            return rules.getTransition(local).getInstant();
        }
        return local.atZone(zone).withLaterOffsetAtOverlap().toInstant();
    }

    /** A half-open interval of instants. */
    record Interval(Instant start, Instant end) {
        boolean contains(Instant t) {
            return !t.isBefore(start) && t.isBefore(end);
        }
    }
}
