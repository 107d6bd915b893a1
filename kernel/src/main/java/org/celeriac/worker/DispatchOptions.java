package org.celeriac.worker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * How a worker dispatches what it receives, beside {@link WorkerOptions}.
 *
 * @param defaultRateLimit  for tasks that declare none ({@code task_default_rate_limit}): {@code "10/s"},
 *                          {@code "100/m"}, {@code "1000/h"} or a number per second; null or empty for none
 * @param maxDeliveries     how often a message may be delivered without being settled (its worker died or hung
 *                          with it) before it is dead-lettered and its task failed; 0 for no limit
 *                          ({@code worker_max_deliveries}, not a Celery setting)
 * @param stateDb           a file where revokes are kept across restarts ({@code worker_state_db}, Celery's
 *                          {@code --statedb}); null to keep them in memory only
 * @param pool              what runs the tasks ({@code worker_pool}, {@code --pool})
 * @param autoscale         bounds the pool grows and shrinks within ({@code worker_autoscale}); null for a fixed size
 * @param disablePrefetch   take a message only when a pool thread is free ({@code worker_disable_prefetch})
 * @param maxMemoryPercent  stop taking messages while the heap, after garbage collection, is fuller than this
 *                          share of its maximum ({@code worker_max_memory_percent}, not a Celery setting); 0 for never
 */
public record DispatchOptions(String defaultRateLimit, int maxDeliveries, Path stateDb, Pool pool, Autoscale autoscale,
                              boolean disablePrefetch, int maxMemoryPercent) {

    /** How often a message may be delivered by default. */
    public static final int DEFAULT_MAX_DELIVERIES = 5;

    /** What runs a worker's tasks. */
    public enum Pool {
        /** A fixed pool of {@code concurrency} platform threads. */
        THREADS,
        /** One task at a time on one thread, whatever the concurrency, as Celery's {@code solo}. */
        SOLO,
        /** Virtual threads, at most {@code concurrency} tasks at once; Java 21 or later. */
        VIRTUAL;

        /** By its Celery-style name: {@code threads}, {@code solo} or {@code virtual}. */
        public static Pool named(String name) {
            if (name == null || name.isBlank()) {
                return THREADS;
            }
            try {
                return valueOf(name.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown pool '" + name + "': threads, solo or virtual");
            }
        }
    }

    /**
     * The pool grows toward {@code max} while tasks wait and no thread is idle, and shrinks toward {@code min} once
     * it has not needed to grow for {@code keepalive}, as Celery's autoscaler.
     */
    public record Autoscale(int max, int min, Duration keepalive) {
        /** Celery's {@code AUTOSCALE_KEEPALIVE}. */
        public static final Duration KEEPALIVE = Duration.ofSeconds(30);

        public Autoscale {
            if (min < 1 || max < min) {
                throw new IllegalArgumentException("autoscale needs 1 <= min <= max, not max " + max + ", min " + min);
            }
            if (keepalive == null || keepalive.isNegative()) {
                throw new IllegalArgumentException("autoscale keepalive must be 0 or more");
            }
        }

        /** Celery's {@code --autoscale} value, {@code max,min} or just {@code max} (min 1 then); null if blank. */
        public static Autoscale parse(String value) {
            if (value == null || value.isBlank()) {
                return null;
            }
            String[] parts = value.strip().split("\\s*,\\s*");
            try {
                int max = Integer.parseInt(parts[0]);
                int min = parts.length > 1 ? Integer.parseInt(parts[1]) : 1;
                if (parts.length > 2) {
                    throw new NumberFormatException();
                }
                // Celery sorts the pair, so "3,10" means the same as "10,3".
                return new Autoscale(Math.max(max, min), Math.min(max, min), KEEPALIVE);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("autoscale must be 'max,min', not '" + value + "'");
            }
        }
    }

    public DispatchOptions {
        Rate.perSecond(defaultRateLimit);
        if (maxDeliveries < 0) {
            throw new IllegalArgumentException("max deliveries must be 0 (no limit) or more, not " + maxDeliveries);
        }
        pool = pool == null ? Pool.THREADS : pool;
        if (pool == Pool.SOLO && autoscale != null) {
            throw new IllegalArgumentException("the solo pool runs one task at a time: it cannot autoscale");
        }
        if (maxMemoryPercent < 0 || maxMemoryPercent > 100) {
            throw new IllegalArgumentException("max memory percent must be 0 (no limit) to 100, not " + maxMemoryPercent);
        }
    }

    /** As Celery's: no default rate limit, revokes in memory only, a fixed pool of threads; and a message delivered
     * at most 5 times. */
    public static DispatchOptions defaults() {
        return new DispatchOptions(null, DEFAULT_MAX_DELIVERIES, null, Pool.THREADS, null, false, 0);
    }

    public DispatchOptions withDefaultRateLimit(String limit) {
        return new DispatchOptions(limit, maxDeliveries, stateDb, pool, autoscale, disablePrefetch, maxMemoryPercent);
    }

    public DispatchOptions withMaxDeliveries(int n) {
        return new DispatchOptions(defaultRateLimit, n, stateDb, pool, autoscale, disablePrefetch, maxMemoryPercent);
    }

    public DispatchOptions withStateDb(Path file) {
        return new DispatchOptions(defaultRateLimit, maxDeliveries, file, pool, autoscale, disablePrefetch,
                maxMemoryPercent);
    }

    public DispatchOptions withPool(Pool p) {
        return new DispatchOptions(defaultRateLimit, maxDeliveries, stateDb, p, autoscale, disablePrefetch,
                maxMemoryPercent);
    }

    public DispatchOptions withAutoscale(Autoscale a) {
        return new DispatchOptions(defaultRateLimit, maxDeliveries, stateDb, pool, a, disablePrefetch, maxMemoryPercent);
    }

    public DispatchOptions withDisablePrefetch(boolean disable) {
        return new DispatchOptions(defaultRateLimit, maxDeliveries, stateDb, pool, autoscale, disable, maxMemoryPercent);
    }

    public DispatchOptions withMaxMemoryPercent(int percent) {
        return new DispatchOptions(defaultRateLimit, maxDeliveries, stateDb, pool, autoscale, disablePrefetch, percent);
    }
}
