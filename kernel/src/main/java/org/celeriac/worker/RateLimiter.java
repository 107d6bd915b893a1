package org.celeriac.worker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rate limits per task type, as Celery's worker keeps them: a token bucket of capacity one per task name, so tasks
 * of a type start no more often than the limit allows and never in a burst. What must wait is queued per task type,
 * in arrival order, and released from the timer when a token is due: no thread waits, and a limited task type does
 * not hold up the others.
 *
 * @param <W> what waits: handed to {@code release} when it gets its token
 */
final class RateLimiter<W> {
    private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);

    private final ScheduledExecutorService timer;
    private final Consumer<W> release;
    private final String defaultLimit;
    /** Limits set at run time; an empty string is an explicit "no limit". */
    private final Map<String, String> overrides = new ConcurrentHashMap<>();
    /** Limits that did not parse, warned about once each. */
    private final Set<String> invalid = ConcurrentHashMap.newKeySet();
    private final Map<String, Bucket> buckets = new HashMap<>(); // guarded by this

    /**
     * @param defaultLimit for tasks that declare none ({@code task_default_rate_limit}); null or empty for none
     */
    RateLimiter(ScheduledExecutorService timer, String defaultLimit, Consumer<W> release) {
        Rate.perSecond(defaultLimit); // fails now rather than at the first message
        this.timer = timer;
        this.defaultLimit = defaultLimit == null ? "" : defaultLimit;
        this.release = release;
    }

    /**
     * Takes a token for a task about to run. When there is none, or others of its type wait already, calls
     * {@code hold} (under the limiter's lock, so that nothing is released before the caller has put it aside) and
     * queues what it returns.
     *
     * @param declared the task's own limit ({@code @Task(rateLimit)}), empty for none
     * @return whether the task may run now
     */
    boolean admit(String task, String declared, Supplier<W> hold) {
        double rate = perSecond(task, declared);
        synchronized (this) {
            Bucket b = buckets.get(task);
            if (b == null) {
                if (rate == 0) {
                    return true;
                }
                b = new Bucket();
                buckets.put(task, b);
            }
            b.declared = declared;
            b.rate = rate;
            if (b.waiting.isEmpty() && b.take(System.nanoTime())) {
                return true;
            }
            b.waiting.add(hold.get());
            if (b.drain == null) {
                schedule(task, b);
            }
            return false;
        }
    }

    /** Changes a task type's limit at run time; null or empty for none. Those waiting get the new limit at once. */
    void set(String task, String limit) {
        Rate.perSecond(limit);
        overrides.put(task, limit == null ? "" : limit);
        synchronized (this) {
            Bucket b = buckets.get(task);
            if (b != null && b.drain != null && b.drain.cancel(false)) {
                b.drain = null;
                timer.execute(() -> drain(task));
            }
        }
    }

    /** The limit a task type runs with: set at run time, else its own, else the default; empty for none. */
    String limit(String task, String declared) {
        String set = overrides.get(task);
        if (set != null) {
            return set;
        }
        return declared != null && !declared.isBlank() ? declared : defaultLimit;
    }

    /** Takes one waiting task out of its queue; false when it was released already (or never waited). */
    synchronized boolean cancel(String task, W waiter) {
        Bucket b = buckets.get(task);
        return b != null && b.waiting.removeIf(w -> w == waiter);
    }

    /** Takes every waiting task out, for a warm shutdown. */
    synchronized List<W> cancelAll() {
        List<W> all = new ArrayList<>();
        for (Bucket b : buckets.values()) {
            all.addAll(b.waiting);
            b.waiting.clear();
            if (b.drain != null) {
                b.drain.cancel(false);
                b.drain = null;
            }
        }
        return all;
    }

    /** How many tasks wait for a token. */
    synchronized int waiting() {
        int n = 0;
        for (Bucket b : buckets.values()) {
            n += b.waiting.size();
        }
        return n;
    }

    private double perSecond(String task, String declared) {
        String limit = limit(task, declared);
        try {
            return Rate.perSecond(limit);
        } catch (IllegalArgumentException e) {
            if (invalid.add(task + "\0" + limit)) {
                LOG.warn("Task {} has an invalid rate limit, ignored: {}", task, e.getMessage());
            }
            return 0;
        }
    }

    /** Releases the waiting tasks that have a token now; schedules itself again for the rest. */
    private void drain(String task) {
        List<W> due = new ArrayList<>();
        synchronized (this) {
            Bucket b = buckets.get(task);
            if (b == null) {
                return;
            }
            b.drain = null;
            b.rate = perSecond(task, b.declared); // a limit set at run time applies to those waiting
            long now = System.nanoTime();
            while (!b.waiting.isEmpty() && (b.rate == 0 || b.take(now))) {
                due.add(b.waiting.poll());
            }
            if (!b.waiting.isEmpty()) {
                schedule(task, b);
            }
        }
        for (W w : due) {
            try {
                release.accept(w);
            } catch (RuntimeException e) {
                LOG.error("Cannot release a task of {} waiting for its rate limit", task, e);
            }
        }
    }

    private void schedule(String task, Bucket b) {
        b.drain = timer.schedule(() -> drain(task), Math.max(1_000, b.nanosToToken()), TimeUnit.NANOSECONDS);
    }

    /** Capacity one, as Celery's per-task buckets: a token every {@code 1/rate} seconds, none saved up. */
    private final class Bucket {
        final ArrayDeque<W> waiting = new ArrayDeque<>();
        String declared;
        double rate;
        ScheduledFuture<?> drain;
        private double tokens = 1;
        private long refilledAt = System.nanoTime();

        boolean take(long now) {
            tokens = Math.min(1, tokens + (now - refilledAt) / 1e9 * rate);
            refilledAt = now;
            if (tokens >= 1 - 1e-9) {
                tokens -= 1;
                return true;
            }
            return false;
        }

        long nanosToToken() {
            return rate == 0 ? 0 : (long) Math.ceil((1 - tokens) / rate * 1e9);
        }
    }
}
