package io.jenkins.plugins.agentgate.core.profile;

import java.time.DayOfWeek;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for the scalar forms the catalog accepts. Each throws IllegalArgumentException on bad input. */
public final class Values {
    public static final String DURATION_FORM = "a positive duration such as 90s, 15m, 2h, 1d or PT15M";
    public static final String MEMORY_FORM = "a size such as 512m, 2g or 1073741824 (bytes)";

    private static final Pattern SIMPLE_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)([kmgt]?)(i?b?)");
    private static final Pattern ID = Pattern.compile("[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?");

    private Values() {}

    /** Parses {@code 90s}, {@code 15m}, {@code 2h}, {@code 1d}, {@code 500ms} or ISO-8601 ({@code PT15M}). */
    public static Duration duration(String text) {
        String t = text.trim();
        Duration d;
        Matcher m = SIMPLE_DURATION.matcher(t.toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        } else {
            try {
                d = Duration.parse(t.toUpperCase(Locale.ROOT));
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("duration '" + text + "' is not valid; expected " + DURATION_FORM, e);
            }
        }
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("duration '" + text + "' is not positive; expected " + DURATION_FORM);
        }
        return d;
    }

    /** Parses a byte size: plain bytes, or k/m/g/t (binary multiples; {@code Mi}, {@code MB} read alike). */
    public static long memory(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("size '" + text + "' is not valid; expected " + MEMORY_FORM);
        }
        long n = Long.parseLong(m.group(1));
        int shift = switch (m.group(2)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        if (n <= 0 || Long.numberOfLeadingZeros(n) <= shift) {
            throw new IllegalArgumentException("size '" + text + "' is out of range; expected " + MEMORY_FORM);
        }
        return n << shift;
    }

    public static double positiveDecimal(String text) {
        double d = Double.parseDouble(text.trim());
        if (!(d > 0) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("'" + text + "' is not a positive number");
        }
        return d;
    }

    public static int positiveInt(String text) {
        int i = Integer.parseInt(text.trim());
        if (i <= 0) {
            throw new IllegalArgumentException("'" + text + "' is not a positive whole number");
        }
        return i;
    }

    public static long positiveLong(String text) {
        long i = Long.parseLong(text.trim());
        if (i <= 0) {
            throw new IllegalArgumentException("'" + text + "' is not a positive whole number");
        }
        return i;
    }

    /** Profile, template, tool and credential ids: lower-case letters, digits, '.', '_' and '-'. */
    public static String id(String text) {
        if (!ID.matcher(text).matches()) {
            throw new IllegalArgumentException("id '" + text + "' is not valid; expected " + ID_FORM);
        }
        return text;
    }

    public static final String ID_FORM = "lower-case letters, digits, '.', '_' or '-' (1-64 characters, starting and ending with a letter or digit)";

    public static DayOfWeek day(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        for (DayOfWeek d : DayOfWeek.values()) {
            if (d.name().equals(t) || d.name().startsWith(t) && t.length() >= 3) {
                return d;
            }
        }
        throw new IllegalArgumentException("day '" + text + "' is not valid");
    }

    /** Human form of a duration for messages: 15m, 2h, 90s. */
    public static String format(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.getSeconds();
        if (s % 86400 == 0) {
            return s / 86400 + "d";
        }
        if (s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
