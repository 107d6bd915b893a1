package org.celeriac.worker;

import java.util.Locale;

/**
 * A rate limit as Celery writes it: {@code "10/s"}, {@code "100/m"}, {@code "1000/h"}; a plain number is per
 * second. Empty, {@code null} and zero mean no limit.
 */
final class Rate {

    private Rate() {
    }

    /**
     * Tasks per second, 0 for no limit.
     *
     * @throws IllegalArgumentException for anything else
     */
    static double perSecond(String limit) {
        if (limit == null || limit.isBlank()) {
            return 0;
        }
        String s = limit.strip();
        int slash = s.indexOf('/');
        String count = slash < 0 ? s : s.substring(0, slash).strip();
        String unit = slash < 0 ? "s" : s.substring(slash + 1).strip().toLowerCase(Locale.ROOT);
        double n;
        try {
            n = Double.parseDouble(count);
        } catch (NumberFormatException e) {
            throw invalid(limit);
        }
        if (n < 0 || Double.isNaN(n) || Double.isInfinite(n)) {
            throw invalid(limit);
        }
        return switch (unit) {
            case "s" -> n;
            case "m" -> n / 60;
            case "h" -> n / 3600;
            default -> throw invalid(limit);
        };
    }

    private static IllegalArgumentException invalid(String limit) {
        return new IllegalArgumentException("rate limit must be like 10/s, 100/m, 1000/h or a number per second, not '"
                + limit + "'");
    }
}
