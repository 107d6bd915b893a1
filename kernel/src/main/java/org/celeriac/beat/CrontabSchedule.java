package org.celeriac.beat;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Celery's {@code crontab(minute, hour, day_of_week, day_of_month, month_of_year)}, evaluated on the wall clock of
 * {@code zone}.
 *
 * <p>Fields take the syntax of Celery's {@code crontab_parser} (see {@link #of}). A day runs the task only when its
 * month, its day of the month <em>and</em> its weekday all match, as in Celery (its {@code remaining_delta} tests
 * {@code month_of_year and day_of_month and day_of_week}; its docstring: "any day on which execution should occur must
 * be represented by entries in all three of the day and month attributes"), unlike Vixie cron, which runs when either
 * day field matches. So {@code 0 0 1-7 * mon} is the first Monday of each month.
 *
 * <p>Daylight-saving time, as Celery 5.5.2+ does it with {@code zoneinfo} datetimes: {@code ffwd.__radd__} replaces
 * the wall-clock fields of the last run (keeping its {@code fold}, normally 0) and {@code remaining} converts the
 * result with {@code astimezone(utc)}, which under PEP 495 reads a {@code fold=0} wall time with the offset in force
 * before a transition:
 * <ul>
 *   <li>A tick whose wall time does not exist (spring forward: 02:30 on 2027-03-28 in Europe/Berlin) runs once,
 *       moved forward by the length of the gap (03:30 CEST). Celery 5.0 to 5.5.1 ran it at whichever check of the
 *       beat loop first followed the gap (03:00 plus up to the loop's sleep): that depends on polling, so it is not
 *       copied.</li>
 *   <li>A tick whose wall time occurs twice (fall back: 02:30 on 2027-10-31 in Europe/Berlin) runs once, at the
 *       earlier instant (02:30 CEST), as {@code fold=0} and Celery's {@code make_aware} (the {@code min} of both
 *       folds) pick; the repeated hour runs no tick of its own, so {@code *}{@code /15} leaves 75 minutes between
 *       02:45 CEST and 03:00 CET. This holds whatever instant {@code nextAfter} is asked from, also one inside the
 *       repeated hour.</li>
 * </ul>
 * Wall times of a zone with no such transitions, such as the default UTC, map one to one.
 */
public final class CrontabSchedule implements Schedule {

    // Every valid (month, day) pair recurs with every weekday within one 400-year Gregorian cycle.
    private static final int SEARCH_DAYS = 146_097 + 366;

    private final String minuteSpec;
    private final String hourSpec;
    private final String dayOfWeekSpec;
    private final String dayOfMonthSpec;
    private final String monthOfYearSpec;
    private final long minutes;
    private final long hours;
    private final long daysOfWeek;
    private final long daysOfMonth;
    private final long monthsOfYear;
    private final ZoneId zone;

    private CrontabSchedule(Object minute, Object hour, Object dayOfWeek, Object dayOfMonth, Object monthOfYear,
            ZoneId zone) {
        this.zone = Objects.requireNonNull(zone, "zone");
        this.minuteSpec = spec(minute);
        this.hourSpec = spec(hour);
        this.dayOfWeekSpec = spec(dayOfWeek);
        this.dayOfMonthSpec = spec(dayOfMonth);
        this.monthOfYearSpec = spec(monthOfYear);
        this.minutes = expand(CronField.MINUTE, minute);
        this.hours = expand(CronField.HOUR, hour);
        this.daysOfWeek = expand(CronField.DAY_OF_WEEK, dayOfWeek);
        this.daysOfMonth = expand(CronField.DAY_OF_MONTH, dayOfMonth);
        this.monthsOfYear = expand(CronField.MONTH_OF_YEAR, monthOfYear);
        requireSomeDayExists();
    }

    /**
     * Celery's keyword form. Each field is a cron spec string ({@code "*"}, {@code "*}{@code /15"}, {@code "9-17"},
     * {@code "1,13,30-45,50-59/2"}, {@code "mon-fri"}, {@code "jan-mar"}), a whole number, or a list of whole numbers;
     * {@code null} means {@code "*"}. Weekdays count from Sunday = 0 to Saturday = 6 and may be named ({@code sun},
     * {@code sunday}); months may be named ({@code jan}, {@code january}), as Celery 5.5+ accepts. Names are accepted
     * only in their own field (Celery would also read {@code mon} as 1 in the minute field).
     *
     * @throws IllegalArgumentException naming the field and the value that is not valid, or if the day and month
     *     fields together select no day that exists ({@code 31} of {@code feb})
     */
    public static CrontabSchedule of(Object minute, Object hour, Object dayOfWeek, Object dayOfMonth,
            Object monthOfYear, ZoneId zone) {
        return new CrontabSchedule(minute, hour, dayOfWeek, dayOfMonth, monthOfYear, zone);
    }

    /**
     * The five-field string in standard cron order, {@code minute hour day-of-month month day-of-week}, as Celery's
     * {@code crontab.from_string}: {@code "*}{@code /15 9-17 * * mon-fri"}.
     */
    public static CrontabSchedule parse(String expression, ZoneId zone) {
        Objects.requireNonNull(expression, "expression");
        String[] f = expression.trim().split("\\s+");
        if (f.length != 5) {
            throw new IllegalArgumentException("a crontab needs five fields, 'minute hour day_of_month month_of_year "
                    + "day_of_week', got " + (expression.isBlank() ? 0 : f.length) + " in '" + expression + "'");
        }
        return new CrontabSchedule(f[0], f[1], f[4], f[2], f[3], zone);
    }

    /** The keyword form of a map with Celery's names ({@code minute}, {@code hour}, {@code day_of_week}, ...). */
    static CrontabSchedule fromKeywords(Map<?, ?> fields, ZoneId zone) {
        for (Object key : fields.keySet()) {
            if (!List.of("minute", "hour", "day_of_week", "day_of_month", "month_of_year").contains(key)) {
                throw new IllegalArgumentException("unknown crontab field '" + key + "', expected minute, hour, "
                        + "day_of_week, day_of_month, month_of_year");
            }
        }
        return new CrontabSchedule(fields.get("minute"), fields.get("hour"), fields.get("day_of_week"),
                fields.get("day_of_month"), fields.get("month_of_year"), zone);
    }

    private static String spec(Object field) {
        if (field == null) {
            return "*";
        }
        if (field instanceof List<?> list) {
            var s = new StringBuilder();
            for (Object v : list) {
                s.append(s.length() == 0 ? "" : ",").append(v);
            }
            return s.toString();
        }
        // Blanks can only surround valid parts (anything else fails to parse), and the string form splits on them.
        return field.toString().replaceAll("\\s", "");
    }

    private static long expand(CronField field, Object spec) {
        if (spec == null) {
            return field.parse("*");
        }
        if (spec instanceof String s) {
            return field.parse(s);
        }
        if (spec instanceof List<?> list) {
            return field.parse(list);
        }
        if (spec instanceof Integer || spec instanceof Long || spec instanceof Short || spec instanceof Byte) {
            return field.parse(List.of(spec));
        }
        throw new IllegalArgumentException("invalid crontab " + field.key + " '" + spec
                + "': expected a cron spec string, a whole number or a list of whole numbers");
    }

    /** Celery only finds out by looping 2000 times at run time; say so when the schedule is made. */
    private void requireSomeDayExists() {
        int[] longest = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        for (int month = 1; month <= 12; month++) {
            if (has(monthsOfYear, month) && Long.numberOfTrailingZeros(daysOfMonth) <= longest[month]) {
                return;
            }
        }
        throw new IllegalArgumentException("invalid crontab: day_of_month '" + dayOfMonthSpec
                + "' never occurs in month_of_year '" + monthOfYearSpec + "'");
    }

    public ZoneId zone() {
        return zone;
    }

    @Override
    public Optional<Instant> nextAfter(Instant after) {
        try {
            return Optional.ofNullable(next(after));
        } catch (DateTimeException | ArithmeticException beyondTheTimeLine) {
            return Optional.empty();
        }
    }

    private Instant next(Instant after) {
        var rules = zone.getRules();
        // Every wall time up to after's own fired at or before it (a doubled one fires at its earlier instant), so
        // the candidates start at the next whole minute of the wall clock.
        LocalDateTime wall = nextWall(LocalDateTime.ofInstant(after, zone).truncatedTo(ChronoUnit.MINUTES)
                .plusMinutes(1));
        Instant best = null;
        LocalDateTime until = null;
        while (wall != null && (until == null || wall.isBefore(until))) {
            List<ZoneOffset> offsets = rules.getValidOffsets(wall);
            Instant at;
            boolean inGap = offsets.isEmpty();
            if (inGap) {
                ZoneOffsetTransition gap = rules.getTransition(wall);
                at = wall.toInstant(gap.getOffsetBefore());
            } else {
                // One offset, or two in an overlap: the earlier instant is the one with the larger offset.
                at = wall.toInstant(offsets.size() == 1 ? offsets.get(0)
                        : offsets.get(0).compareTo(offsets.get(1)) < 0 ? offsets.get(0) : offsets.get(1));
            }
            if (at.isAfter(after) && (best == null || at.isBefore(best))) {
                best = at;
                if (!inGap) {
                    return best;
                }
                // A moved tick may land after a later tick that exists: look on until the wall time it landed at.
                until = LocalDateTime.ofInstant(best, zone);
            }
            wall = nextWall(wall.plusMinutes(1));
        }
        return best;
    }

    /** The first wall time at or after {@code from} the fields select, or null if none within the search bound. */
    private LocalDateTime nextWall(LocalDateTime from) {
        LocalDate day = from.toLocalDate();
        int fromHour = from.getHour();
        int fromMinute = from.getMinute();
        for (int i = 0; i < SEARCH_DAYS; i++) {
            if (has(monthsOfYear, day.getMonthValue()) && has(daysOfMonth, day.getDayOfMonth())
                    && has(daysOfWeek, day.getDayOfWeek().getValue() % 7)) {
                for (int hour = fromHour; hour < 24; hour++) {
                    if (has(hours, hour)) {
                        long later = minutes & (-1L << (hour == fromHour ? fromMinute : 0));
                        if (later != 0) {
                            return day.atTime(hour, Long.numberOfTrailingZeros(later));
                        }
                    }
                }
            }
            day = day.plusDays(1);
            fromHour = 0;
            fromMinute = 0;
        }
        return null;
    }

    private static boolean has(long bits, int value) {
        return (bits & (1L << value)) != 0;
    }

    /** Celery 5.3+'s repr, fields in cron order: {@code <crontab: *}{@code /15 9-17 * * mon-fri (m/h/dM/MY/d)>}. */
    @Override
    public String describe() {
        return "<crontab: " + expression() + " (m/h/dM/MY/d)>";
    }

    /** The five fields as given, in cron order. */
    public String expression() {
        return minuteSpec + " " + hourSpec + " " + dayOfMonthSpec + " " + monthOfYearSpec + " " + dayOfWeekSpec;
    }

    @Override
    public Map<String, Object> toDefinition() {
        var definition = new LinkedHashMap<String, Object>();
        definition.put("crontab", expression());
        definition.put("timezone", zone.getId());
        return Collections.unmodifiableMap(definition);
    }

    /** Equal when they select the same times in the same zone, however the fields were spelled (as Celery's eq). */
    @Override
    public boolean equals(Object o) {
        return o instanceof CrontabSchedule c && c.minutes == minutes && c.hours == hours
                && c.daysOfWeek == daysOfWeek && c.daysOfMonth == daysOfMonth && c.monthsOfYear == monthsOfYear
                && c.zone.equals(zone);
    }

    @Override
    public int hashCode() {
        return Objects.hash(minutes, hours, daysOfWeek, daysOfMonth, monthsOfYear, zone);
    }

    @Override
    public String toString() {
        return describe() + " in " + zone.getId();
    }
}
