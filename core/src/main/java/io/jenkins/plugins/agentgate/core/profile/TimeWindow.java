package io.jenkins.plugins.agentgate.core.profile;

import java.time.DayOfWeek;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;

/**
 * A weekly window in a time zone: the listed days, from {@code from} (inclusive) to {@code to} (exclusive).
 * A window whose {@code to} is not after {@code from} runs past midnight into the next day.
 */
public record TimeWindow(List<DayOfWeek> days, LocalTime from, LocalTime to, ZoneId zone) {
    public TimeWindow {
        days = days == null ? List.of() : days.stream().distinct().sorted().toList();
    }
}
