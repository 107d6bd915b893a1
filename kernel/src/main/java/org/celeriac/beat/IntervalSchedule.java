package org.celeriac.beat;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Fires every {@code every} (Celery's {@code schedule(run_every)}), counted in elapsed time: the next run is the last
 * plus the interval, whatever the wall clock or daylight-saving time does in between.
 *
 * @param every the positive interval; fractions of a second are allowed
 */
public record IntervalSchedule(Duration every) implements Schedule {

    public IntervalSchedule {
        Objects.requireNonNull(every, "every");
        if (every.isNegative() || every.isZero()) {
            throw new IllegalArgumentException("interval must be positive, got " + every);
        }
    }

    /** Every {@code every}. */
    public static IntervalSchedule every(Duration every) {
        return new IntervalSchedule(every);
    }

    /** Every {@code seconds} seconds, fractions allowed (0.5 is twice a second). */
    public static IntervalSchedule everySeconds(double seconds) {
        if (!Double.isFinite(seconds)) {
            throw new IllegalArgumentException("interval must be a finite number of seconds, got " + seconds);
        }
        return new IntervalSchedule(Schedules.seconds(BigDecimal.valueOf(seconds), "interval"));
    }

    @Override
    public Optional<Instant> nextAfter(Instant after) {
        try {
            return Optional.of(after.plus(every));
        } catch (DateTimeException | ArithmeticException beyondTheTimeLine) {
            return Optional.empty();
        }
    }

    /** Celery's {@code humanize_seconds}: the largest unit the interval reaches, two decimals. */
    @Override
    public String describe() {
        double secs = seconds().doubleValue();
        String[] units = {"day", "hour", "minute", "second"};
        double[] dividers = {86400, 3600, 60, 1};
        for (int i = 0; i < units.length; i++) {
            if (secs >= dividers[i]) {
                return freq(secs / dividers[i], units[i]);
            }
        }
        // Celery says "now" below a second, which hides the interval; its microseconds form says what it is.
        return freq(secs, "second");
    }

    private static String freq(double amount, String unit) {
        return String.format(Locale.ROOT, "<freq: %.2f %s%s>", amount, unit, amount == 1 ? "" : "s");
    }

    @Override
    public Map<String, Object> toDefinition() {
        BigDecimal exact = seconds();
        Object value;
        if (exact.scale() <= 0) {
            value = exact.longValueExact();
        } else {
            double approx = exact.doubleValue();
            // A double only when it reads back exactly; otherwise the decimal string, which parse also takes.
            value = BigDecimal.valueOf(approx).compareTo(exact) == 0 ? (Object) approx : exact.toPlainString();
        }
        return Map.of("interval", value);
    }

    private BigDecimal seconds() {
        return BigDecimal.valueOf(every.getSeconds()).add(BigDecimal.valueOf(every.getNano(), 9)).stripTrailingZeros();
    }
}
