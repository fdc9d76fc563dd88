package io.jenkins.plugins.agentgate.core.approval;

import static org.assertj.core.api.Assertions.assertThat;

import io.jenkins.plugins.agentgate.core.profile.Blackout;
import io.jenkins.plugins.agentgate.core.profile.TimeWindow;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Window and blackout arithmetic on fixed dates, including daylight-saving changes (docs/approvals.md). */
class ScheduleTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    private static Schedule windows(TimeWindow... w) {
        return new Schedule(List.of(w), List.of());
    }

    private static Instant at(String s) {
        return Instant.parse(s);
    }

    @Test
    void noWindowsAndNoBlackoutsIsAlwaysOpen() {
        Schedule s = new Schedule(List.of(), List.of());
        assertThat(s.isUnrestricted()).isTrue();
        assertThat(s.isOpen(at("2026-01-01T00:00:00Z"))).isTrue();
        assertThat(s.nextOpening(at("2026-01-01T00:00:00Z"))).contains(at("2026-01-01T00:00:00Z"));
    }

    @Test
    void aWindowIsHalfOpenInItsZone() {
        Schedule s = windows(new TimeWindow(List.of(DayOfWeek.WEDNESDAY), LocalTime.of(9, 0), LocalTime.of(17, 0), BERLIN));
        assertThat(s.isOpen(at("2026-11-25T07:59:59Z"))).isFalse();
        assertThat(s.isOpen(at("2026-11-25T08:00:00Z"))).isTrue();
        assertThat(s.isOpen(at("2026-11-25T15:59:59Z"))).isTrue();
        assertThat(s.isOpen(at("2026-11-25T16:00:00Z"))).isFalse();
        assertThat(s.nextOpening(at("2026-11-25T16:00:00Z"))).contains(at("2026-12-02T08:00:00Z"));
    }

    @Test
    void anOvernightWindowBelongsToTheDayItStartsOn() {
        Schedule s = windows(new TimeWindow(List.of(DayOfWeek.FRIDAY), LocalTime.of(22, 0), LocalTime.of(6, 0), ZoneId.of("UTC")));
        assertThat(s.isOpen(at("2026-11-27T21:59:00Z"))).isFalse(); // Friday
        assertThat(s.isOpen(at("2026-11-27T22:00:00Z"))).isTrue();
        assertThat(s.isOpen(at("2026-11-28T05:59:59Z"))).isTrue(); // Saturday morning
        assertThat(s.isOpen(at("2026-11-28T06:00:00Z"))).isFalse();
        assertThat(s.isOpen(at("2026-11-28T23:00:00Z"))).isFalse(); // Saturday night is not a Friday window
        assertThat(s.isOpen(at("2026-11-27T03:00:00Z"))).isFalse(); // Friday early morning belongs to Thursday
        assertThat(s.nextOpening(at("2026-11-27T12:00:00Z"))).contains(at("2026-11-27T22:00:00Z"));
    }

    @Test
    void aWindowStartingInASpringForwardGapOpensWhenTheGapEnds() {
        // Berlin, Sunday 2026-03-29: 02:00 local jumps to 03:00 (01:00Z)
        Schedule s = windows(new TimeWindow(List.of(DayOfWeek.SUNDAY), LocalTime.of(2, 30), LocalTime.of(4, 0), BERLIN));
        assertThat(s.nextOpening(at("2026-03-29T00:00:00Z"))).contains(at("2026-03-29T01:00:00Z"));
        assertThat(s.isOpen(at("2026-03-29T00:59:59Z"))).isFalse();
        assertThat(s.isOpen(at("2026-03-29T01:59:59Z"))).isTrue();
        assertThat(s.isOpen(at("2026-03-29T02:00:00Z"))).isFalse(); // 04:00 CEST
    }

    @Test
    void aWindowWhollyInsideAGapDoesNotOpenThatDay() {
        Schedule s = windows(new TimeWindow(List.of(DayOfWeek.SUNDAY), LocalTime.of(2, 10), LocalTime.of(2, 50), BERLIN));
        assertThat(s.nextOpening(at("2026-03-29T00:00:00Z"))).contains(at("2026-04-05T00:10:00Z"));
    }

    @Test
    void aFallBackOverlapRepeatsTheWallTimesOfAWindow() {
        // Berlin, Sunday 2026-10-25: 03:00 CEST (01:00Z) goes back to 02:00 CET; 02:00-03:00 happens twice
        Schedule s = windows(new TimeWindow(List.of(DayOfWeek.SUNDAY), LocalTime.of(2, 0), LocalTime.of(2, 30), BERLIN));
        assertThat(s.isOpen(at("2026-10-25T00:00:00Z"))).isTrue(); // first 02:00
        assertThat(s.isOpen(at("2026-10-25T00:29:59Z"))).isTrue();
        assertThat(s.isOpen(at("2026-10-25T00:30:00Z"))).isFalse(); // first 02:30
        assertThat(s.nextOpening(at("2026-10-25T00:30:00Z"))).contains(at("2026-10-25T01:00:00Z")); // second 02:00
        assertThat(s.isOpen(at("2026-10-25T01:15:00Z"))).isTrue(); // second 02:15
        assertThat(s.isOpen(at("2026-10-25T01:30:00Z"))).isFalse(); // second 02:30
        assertThat(s.nextOpening(at("2026-10-25T01:30:00Z"))).contains(at("2026-11-01T01:00:00Z"));
    }

    @Test
    void aWindowStartingInAnOverlapOpensAgainAtTheSecondOccurrence() {
        // Casablanca, Sunday 2025-02-23: 03:00 (+01) goes back to 02:00 (+00) at 02:00Z; found by SchedulePropertiesTest
        Schedule s = windows(new TimeWindow(List.of(DayOfWeek.SUNDAY), LocalTime.of(2, 1), LocalTime.of(0, 0),
                ZoneId.of("Africa/Casablanca")));
        assertThat(s.isOpen(at("2025-02-23T01:30:00Z"))).isTrue(); // 02:30 (+01), first time
        assertThat(s.isOpen(at("2025-02-23T02:00:00Z"))).isFalse(); // 02:00 (+00), the clock went back
        assertThat(s.nextOpening(at("2025-02-23T02:00:00Z"))).contains(at("2025-02-23T02:01:00Z"));
    }

    @Test
    void aBlackoutEndingInTheOverlapLastsUntilItsEndIsShownTheSecondTime() {
        Blackout b = new Blackout(LocalDateTime.parse("2026-10-24T22:00"), LocalDateTime.parse("2026-10-25T02:30"), BERLIN, "");
        Schedule s = new Schedule(List.of(), List.of(b));
        assertThat(s.isOpen(at("2026-10-25T00:45:00Z"))).isFalse(); // 02:45 CEST, after the first 02:30
        assertThat(s.isOpen(at("2026-10-25T01:29:59Z"))).isFalse(); // 02:29:59 CET
        assertThat(s.nextOpening(at("2026-10-24T21:00:00Z"))).contains(at("2026-10-25T01:30:00Z"));
    }

    @Test
    void thirtyMinuteDaylightSavingIsHandled() {
        // Lord Howe Island: 2026-10-04 02:00 local jumps to 02:30 (+10:30 -> +11)
        ZoneId lordHowe = ZoneId.of("Australia/Lord_Howe");
        Schedule s = windows(new TimeWindow(List.of(DayOfWeek.SUNDAY), LocalTime.of(2, 15), LocalTime.of(3, 0), lordHowe));
        Instant gapEnd = Schedule.firstInstantAtOrAfter(LocalDateTime.parse("2026-10-04T02:15"), lordHowe);
        assertThat(gapEnd.atZone(lordHowe).toLocalTime()).isEqualTo(LocalTime.of(2, 30));
        assertThat(s.nextOpening(at("2026-10-03T12:00:00Z"))).contains(gapEnd);
    }

    @Test
    void aBlackoutAcrossADaylightSavingChangeEndsAtItsLocalEnd() {
        // New York springs forward on 2026-03-08 at 02:00 EST
        Blackout b = new Blackout(LocalDateTime.parse("2026-03-07T20:00"), LocalDateTime.parse("2026-03-08T08:00"), NEW_YORK, "migration");
        Schedule s = new Schedule(List.of(), List.of(b));
        assertThat(s.isOpen(at("2026-03-08T00:59:59Z"))).isTrue(); // 20:00 EST on the 7th is 01:00Z on the 8th
        assertThat(s.isOpen(at("2026-03-08T01:00:00Z"))).isFalse();
        assertThat(s.blackoutAt(at("2026-03-08T11:59:59Z"))).contains(b);
        assertThat(s.nextOpening(at("2026-03-08T03:00:00Z"))).contains(at("2026-03-08T12:00:00Z")); // 08:00 EDT
    }

    @Test
    void theNextOpeningSkipsWindowsCoveredByABlackout() {
        TimeWindow daily = new TimeWindow(List.of(DayOfWeek.values()), LocalTime.of(9, 0), LocalTime.of(10, 0), ZoneId.of("UTC"));
        Blackout b = new Blackout(LocalDateTime.parse("2026-12-24T00:00"), LocalDateTime.parse("2026-12-26T09:30"),
                ZoneId.of("UTC"), "holidays");
        Schedule s = new Schedule(List.of(daily), List.of(b));
        assertThat(s.nextOpening(at("2026-12-23T12:00:00Z"))).contains(at("2026-12-26T09:30:00Z"));
    }

    @Test
    void windowsOnNoDayNeverOpen() {
        Schedule s = windows(new TimeWindow(List.of(), LocalTime.of(9, 0), LocalTime.of(10, 0), ZoneId.of("UTC")));
        assertThat(s.isOpen(at("2026-12-23T09:30:00Z"))).isFalse();
        assertThat(s.nextOpening(at("2026-12-23T09:30:00Z"))).isEqualTo(Optional.empty());
    }
}
