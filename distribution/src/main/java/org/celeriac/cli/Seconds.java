package org.celeriac.cli;

import java.math.BigDecimal;
import java.time.Duration;

/** Durations given in (decimal) seconds, as Celery's options take them. */
final class Seconds {

    private Seconds() {
    }

    /** @throws IllegalArgumentException naming the option, when the value is negative or not finite */
    static Duration nonNegative(String option, double seconds) {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException(option + " must be a number of seconds, 0 or more, not " + seconds);
        }
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    /** @throws IllegalArgumentException naming the option, when the value is not more than zero */
    static Duration positive(String option, double seconds) {
        Duration d = nonNegative(option, seconds);
        if (d.isZero()) {
            throw new IllegalArgumentException(option + " must be more than 0 seconds");
        }
        return d;
    }

    /** {@code 30}, {@code 2.5}: as the user would have written it. */
    static String format(Duration d) {
        return BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString();
    }
}
