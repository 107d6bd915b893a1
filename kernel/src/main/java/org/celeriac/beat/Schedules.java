package org.celeriac.beat;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads the {@code schedule:} value of a beat entry, as parsed from YAML or JSON into maps, lists, strings and
 * numbers:
 * <ul>
 *   <li>a number, or a string holding one: an interval in seconds, fractions allowed ({@code 30}, {@code 0.5});
 *       also {@code {interval: 30}};</li>
 *   <li>{@code {crontab: "*}{@code /15 9-17 * * mon-fri"}} (minute hour day-of-month month day-of-week) or
 *       {@code {crontab: {minute: "*}{@code /15", hour: "9-17", day_of_week: "mon-fri"}}} (Celery's keywords, missing
 *       ones {@code *}), with an optional {@code timezone: Europe/Berlin} in place of the default zone;</li>
 *   <li>{@code {solar: sunset, lat: 52.5, lon: 13.4}};</li>
 *   <li>{@code {clocked: "2027-01-01T00:00:00Z"}}: ISO-8601 with an offset or {@code Z}, or a local date-time read in
 *       the zone (the earlier instant if the zone's clock shows it twice).</li>
 * </ul>
 */
public final class Schedules {

    private static final String EXPECTED = "a schedule is a number of seconds, {interval: seconds}, "
            + "{crontab: \"m h dom mon dow\" or {minute: ..., hour: ..., day_of_week: ..., day_of_month: ..., "
            + "month_of_year: ...}, timezone: ...}, {solar: event, lat: ..., lon: ...} or {clocked: ISO-8601 time}";

    private Schedules() {
    }

    /**
     * The schedule {@code definition} describes.
     *
     * @param zone the zone of crontabs without a {@code timezone} of their own and of clocked times without offset
     * @throws IllegalArgumentException saying what was expected, if the definition is not a schedule
     */
    public static Schedule parse(Object definition, ZoneId zone) {
        Objects.requireNonNull(zone, "zone");
        if (definition instanceof Number || definition instanceof String) {
            return interval(definition);
        }
        if (!(definition instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(EXPECTED + ", got " + describe(definition));
        }
        Set<String> kinds = new HashSet<>(List.of("interval", "crontab", "solar", "clocked"));
        kinds.retainAll(keys(map));
        if (kinds.size() != 1) {
            throw new IllegalArgumentException(EXPECTED + ", got " + (kinds.isEmpty() ? "" : "both of " + kinds
                    + " in ") + map);
        }
        return switch (kinds.iterator().next()) {
            case "interval" -> {
                allowOnly(map, "interval");
                yield interval(map.get("interval"));
            }
            case "crontab" -> crontab(map, zone);
            case "solar" -> solar(map);
            default -> {
                allowOnly(map, "clocked");
                yield new ClockedSchedule(instant(map.get("clocked"), zone));
            }
        };
    }

    private static Schedule interval(Object value) {
        BigDecimal seconds = number(value, "interval");
        return new IntervalSchedule(seconds(seconds, "interval"));
    }

    private static Schedule crontab(Map<?, ?> map, ZoneId defaultZone) {
        allowOnly(map, "crontab", "timezone");
        ZoneId zone = defaultZone;
        Object tz = map.get("timezone");
        if (tz != null) {
            try {
                zone = ZoneId.of(tz.toString());
            } catch (DateTimeException e) {
                throw new IllegalArgumentException("unknown crontab timezone '" + tz + "'", e);
            }
        }
        Object spec = map.get("crontab");
        if (spec instanceof String s) {
            return CrontabSchedule.parse(s, zone);
        }
        if (spec instanceof Map<?, ?> fields) {
            return CrontabSchedule.fromKeywords(fields, zone);
        }
        throw new IllegalArgumentException("crontab expects a string \"minute hour day_of_month month_of_year "
                + "day_of_week\" or a map of minute, hour, day_of_week, day_of_month, month_of_year, got "
                + describe(spec));
    }

    private static Schedule solar(Map<?, ?> map) {
        allowOnly(map, "solar", "lat", "lon");
        Object event = map.get("solar");
        if (!(event instanceof String e)) {
            throw new IllegalArgumentException("solar expects an event name such as sunset, got " + describe(event));
        }
        if (!map.containsKey("lat") || !map.containsKey("lon")) {
            throw new IllegalArgumentException("solar needs lat and lon (degrees), got " + map);
        }
        return new SolarSchedule(e, number(map.get("lat"), "solar lat").doubleValue(),
                number(map.get("lon"), "solar lon").doubleValue());
    }

    private static Instant instant(Object value, ZoneId zone) {
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof Date d) {
            // SnakeYAML reads an unquoted timestamp as a java.util.Date.
            return d.toInstant();
        }
        if (value instanceof TemporalAccessor t && !(value instanceof LocalDateTime)) {
            try {
                return Instant.from(t);
            } catch (DateTimeException e) {
                throw new IllegalArgumentException("clocked expects an instant, got " + describe(value), e);
            }
        }
        if (value instanceof LocalDateTime local) {
            return ZonedDateTime.ofLocal(local, zone, null).toInstant();
        }
        if (value instanceof String s) {
            try {
                return OffsetDateTime.parse(s.trim()).toInstant();
            } catch (DateTimeParseException withoutOffset) {
                try {
                    return ZonedDateTime.ofLocal(LocalDateTime.parse(s.trim()), zone, null).toInstant();
                } catch (DateTimeParseException e) {
                    throw new IllegalArgumentException("clocked expects an ISO-8601 date-time such as "
                            + "2027-01-01T00:00:00Z, got '" + s + "'", e);
                }
            }
        }
        throw new IllegalArgumentException("clocked expects an ISO-8601 date-time such as 2027-01-01T00:00:00Z, got "
                + describe(value));
    }

    private static BigDecimal number(Object value, String what) {
        try {
            if (value instanceof BigDecimal b) {
                return b;
            }
            if (value instanceof Double || value instanceof Float) {
                return BigDecimal.valueOf(((Number) value).doubleValue());
            }
            if (value instanceof Number n) {
                return new BigDecimal(n.toString());
            }
            if (value instanceof String s) {
                return new BigDecimal(s.trim());
            }
        } catch (NumberFormatException notANumber) {
            // NaN and infinities land here too; reported below with everything else that is not a number.
        }
        throw new IllegalArgumentException(what + " expects a number, got " + describe(value)
                + ("interval".equals(what) ? "; " + EXPECTED : ""));
    }

    /** An exact number of seconds as a positive duration (to the nanosecond). */
    static Duration seconds(BigDecimal seconds, String what) {
        if (seconds.signum() <= 0) {
            throw new IllegalArgumentException(what + " must be a positive number of seconds, got "
                    + seconds.toPlainString());
        }
        try {
            BigDecimal whole = seconds.setScale(0, RoundingMode.FLOOR);
            long nanos = seconds.subtract(whole).movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact();
            Duration d = Duration.ofSeconds(whole.longValueExact(), nanos);
            if (d.isZero()) {
                throw new IllegalArgumentException(what + " of " + seconds.toPlainString()
                        + " seconds is shorter than a nanosecond");
            }
            return d;
        } catch (ArithmeticException tooLarge) {
            throw new IllegalArgumentException(what + " of " + seconds.toPlainString() + " seconds is too long",
                    tooLarge);
        }
    }

    private static Set<String> keys(Map<?, ?> map) {
        Set<String> keys = new HashSet<>();
        for (Object k : map.keySet()) {
            keys.add(String.valueOf(k));
        }
        return keys;
    }

    private static void allowOnly(Map<?, ?> map, String... allowed) {
        Set<String> extra = keys(map);
        extra.removeAll(List.of(allowed));
        if (!extra.isEmpty()) {
            throw new IllegalArgumentException("unexpected " + extra + " in " + allowed[0] + " schedule " + map
                    + ", it takes " + String.join(", ", allowed));
        }
    }

    private static String describe(Object value) {
        return value == null ? "nothing" : "'" + value + "' (" + value.getClass().getSimpleName() + ")";
    }
}
