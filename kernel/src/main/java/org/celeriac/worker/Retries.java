package org.celeriac.worker;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import org.celeriac.task.Retry;
import org.celeriac.task.Task;

/** A task's automatic retries, by its {@link Task} options, as Celery's {@code autoretry_for} and backoff. */
final class Retries {

    private Retries() {
    }

    /** Whether {@code t}, thrown by the task, retries it by itself. */
    static boolean autoretries(Task options, Throwable t) {
        if (t instanceof Retry) {
            return false;
        }
        for (Class<? extends Throwable> c : options.autoretryFor()) {
            if (c.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The countdown of an automatic retry after {@code retries} earlier ones: with backoff, factor * 2^retries
     * seconds, at most {@code retryBackoffMax}, with full jitter a random whole number of seconds up to that;
     * without, null for the task's default delay.
     */
    static Duration autoretryCountdown(Task options, int retries) {
        if (options.retryBackoff() <= 0) {
            return null;
        }
        long max = Math.max(0, options.retryBackoffMax());
        // 2^retries overflows long past 62; any such countdown is over the maximum anyway
        long countdown = retries >= 62 ? max : Math.min(max, multiply(options.retryBackoff(), 1L << retries));
        if (options.retryJitter()) {
            countdown = ThreadLocalRandom.current().nextLong(countdown + 1);
        }
        return Duration.ofSeconds(Math.max(0, countdown));
    }

    private static long multiply(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
