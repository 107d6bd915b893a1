package org.celeriac.beat;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One field of a crontab, with the syntax of Celery's {@code crontab_parser}: comma-separated parts, each {@code *},
 * {@code *}{@code /n}, a value, a range {@code a-b} (wrapping past the maximum when {@code b < a}, so {@code fri-mon}
 * and {@code 22-2} work) or a stepped range {@code a-b/n}. A step keeps every n-th value of the expanded range counted
 * from its first, as Celery's slice {@code [::n]} does. A lone value with a step ({@code 5/10}) is an error there and
 * here.
 */
enum CronField {
    MINUTE("minute", 0, 59, Map.of()),
    HOUR("hour", 0, 23, Map.of()),
    DAY_OF_MONTH("day_of_month", 1, 31, Map.of()),
    // Month names since Celery 5.5 (crontab_parser tries yearmonth() before weekday()).
    MONTH_OF_YEAR("month_of_year", 1, 12, names(1,
            "jan", "january", "feb", "february", "mar", "march", "apr", "april", "may", "may", "jun", "june",
            "jul", "july", "aug", "august", "sep", "september", "oct", "october", "nov", "november", "dec",
            "december")),
    // Sunday is 0, as in Celery; 7 is out of range there (its maximum is 6), so it is here too.
    DAY_OF_WEEK("day_of_week", 0, 6, names(0,
            "sun", "sunday", "mon", "monday", "tue", "tuesday", "wed", "wednesday", "thu", "thursday", "fri",
            "friday", "sat", "saturday"));

    final String key;
    final int min;
    final int max;
    private final Map<String, Integer> names;

    CronField(String key, int min, int max, Map<String, Integer> names) {
        this.key = key;
        this.min = min;
        this.max = max;
        this.names = names;
    }

    /** Pairs (abbreviation, full name), numbered from {@code first}. */
    private static Map<String, Integer> names(int first, String... pairs) {
        var map = new HashMap<String, Integer>();
        for (int i = 0; i < pairs.length; i++) {
            map.put(pairs[i], first + i / 2);
        }
        return Map.copyOf(map);
    }

    /** The values (bit {@code v} set for value {@code v}) a cron spec selects; never empty. */
    long parse(String spec) {
        if (spec.isBlank()) {
            throw invalid(spec, "it is empty");
        }
        long bits = 0;
        for (String part : spec.split(",", -1)) {
            bits |= parsePart(spec, part.trim());
        }
        return bits;
    }

    /** The values of a YAML/JSON list of numbers ({@code hour: [8, 12]}), as Celery takes a set or list. */
    long parse(List<?> values) {
        if (values.isEmpty()) {
            throw invalid(values.toString(), "the list is empty");
        }
        long bits = 0;
        for (Object v : values) {
            if (!(v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte)) {
                throw invalid(values.toString(), "a list may hold whole numbers only, found '" + v + "'");
            }
            bits |= 1L << checked(values.toString(), ((Number) v).longValue());
        }
        return bits;
    }

    private long parsePart(String spec, String part) {
        if (part.isEmpty()) {
            throw invalid(spec, "it has an empty part between commas");
        }
        int slash = part.indexOf('/');
        String base = slash < 0 ? part : part.substring(0, slash);
        int step = 1;
        if (slash >= 0) {
            String s = part.substring(slash + 1);
            if (!isDigits(s)) {
                throw invalid(spec, "the step after '/' in '" + part + "' must be a positive whole number");
            }
            step = parseSmall(spec, s);
            if (step == 0) {
                throw invalid(spec, "the step in '" + part + "' is zero");
            }
        }
        int[] expanded;
        if (base.equals("*")) {
            expanded = range(min, max);
        } else {
            int dash = base.indexOf('-');
            if (dash == 0) {
                throw invalid(spec, "negative numbers are not supported ('" + part + "')");
            }
            if (dash < 0) {
                if (slash >= 0) {
                    throw invalid(spec, "a step needs '*' or a range before it, as in '*/" + step + "' or 'a-b/"
                            + step + "', not '" + part + "'");
                }
                return 1L << value(spec, base);
            }
            int from = value(spec, base.substring(0, dash));
            int to = value(spec, base.substring(dash + 1));
            expanded = to >= from ? range(from, to) : wrapped(from, to);
        }
        long bits = 0;
        for (int i = 0; i < expanded.length; i += step) {
            bits |= 1L << expanded[i];
        }
        return bits;
    }

    private int[] range(int from, int to) {
        int[] r = new int[to - from + 1];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    /** {@code from..max} then {@code min..to}, in that order, so that a step counts across the wrap. */
    private int[] wrapped(int from, int to) {
        int[] high = range(from, max);
        int[] low = range(min, to);
        int[] r = Arrays.copyOf(high, high.length + low.length);
        System.arraycopy(low, 0, r, high.length, low.length);
        return r;
    }

    private int value(String spec, String token) {
        if (isDigits(token)) {
            return checked(spec, parseSmall(spec, token));
        }
        Integer named = names.get(token.toLowerCase(Locale.ROOT));
        if (named != null) {
            return named;
        }
        if (token.startsWith("-")) {
            throw invalid(spec, "negative numbers are not supported");
        }
        String expected = switch (this) {
            case DAY_OF_WEEK -> "a number or a weekday name (sun..sat, sunday..saturday)";
            case MONTH_OF_YEAR -> "a number or a month name (jan..dec, january..december)";
            default -> "a number";
        };
        throw invalid(spec, "'" + token + "' is not " + expected);
    }

    private int parseSmall(String spec, String digits) {
        // More digits than any field needs would only overflow; they are out of range in any case.
        return digits.length() > 6 ? checked(spec, Long.MAX_VALUE) : Integer.parseInt(digits);
    }

    private int checked(String spec, long v) {
        if (v < min || v > max) {
            String hint = this == DAY_OF_WEEK && v == 7 ? " (Sunday is 0)" : "";
            throw invalid(spec, (v == Long.MAX_VALUE ? "a value" : v) + " is out of range " + min + "-" + max + hint);
        }
        return (int) v;
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private IllegalArgumentException invalid(String spec, String why) {
        return new IllegalArgumentException("invalid crontab " + key + " '" + spec + "': " + why);
    }
}
