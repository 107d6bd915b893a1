package org.celeriac.worker;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.celeriac.protocol.TaskMessage;
import org.celeriac.registry.TaskRegistry;
import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When a task ready to run may start: at its ETA, and once its type's rate limit gives it a token. Until then it
 * waits on the timer, without a pool thread; what would wait past the broker's limit on holding a delivery is
 * handed back to its queue instead.
 */
final class Admission {
    private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

    private final Transport transport;
    private final TaskRegistry registry;
    private final TaskPool pool;
    private final PrefetchSlots prefetch;
    private final Outcomes outcomes;
    private final TaskRequests requests;
    private final ScheduledExecutorService timer;
    private final RunState state;
    private final Dispatcher.Redispatch redispatch;
    private final RateLimiter<RateWait> rateLimits;
    private final Map<TaskRunner.Job, ScheduledFuture<?>> waitingForEta = new ConcurrentHashMap<>();

    /** What waits for its task type's rate limit. */
    private record RateWait(Delivery delivery, TaskMessage task, TaskRunner.Job job, boolean holdsPermit) {
    }

    /**
     * @param defaultRateLimit for tasks that declare none ({@code task_default_rate_limit})
     * @param redispatch       where a delivery that cannot be handed back goes, to wait anew
     */
    Admission(Transport transport, TaskRegistry registry, TaskPool pool, Outcomes outcomes, TaskRequests requests,
              ScheduledExecutorService timer, RunState state, String defaultRateLimit,
              Dispatcher.Redispatch redispatch) {
        this.transport = transport;
        this.registry = registry;
        this.pool = pool;
        this.prefetch = pool.prefetch();
        this.outcomes = outcomes;
        this.requests = requests;
        this.timer = timer;
        this.state = state;
        this.redispatch = redispatch;
        this.rateLimits = new RateLimiter<>(timer, defaultRateLimit, this::rateAllows);
    }

    /**
     * The job if it may start now; otherwise null, and it waits on the timer for its ETA or a rate-limit token,
     * then runs on the pool.
     *
     * @param holdsPermit whether the delivery holds a prefetch slot
     */
    TaskRunner.Job admit(Delivery d, TaskMessage task, TaskRunner.Job job, boolean holdsPermit) {
        long delayMillis = task.eta() == null ? 0 : task.eta().toEpochMilli() - System.currentTimeMillis();
        if (delayMillis <= 0) {
            job.reserved();
            return admitByRateLimit(d, task, job, holdsPermit);
        }
        job.scheduled();
        // An ETA task waits on the timer and gives its prefetch slot back, as Celery raises its QoS for them.
        if (holdsPermit) {
            prefetch.release();
            job.releasesPermit(false);
        }
        long handBackMillis = handBackAfterMillis();
        if (delayMillis <= handBackMillis) {
            ScheduledFuture<?> f = timer.schedule(() -> {
                waitingForEta.remove(job);
                job.reserved();
                if (admitByRateLimit(d, task, job, false) != null) {
                    try {
                        pool.execute(job);
                    } catch (RejectedExecutionException e) {
                        requests.ended(job);
                        outcomes.giveBack(d, false); // its ETA came as a stop shut the pool, too late to be cancelled
                    }
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
            waitingForEta.put(job, f);
        } else {
            waitingForEta.put(job, timer.schedule(() -> {
                waitingForEta.remove(job);
                handBack(d, task, job, false);
            }, handBackMillis, TimeUnit.MILLISECONDS));
        }
        return null;
    }

    /**
     * The job if its task type's rate limit lets it start now; otherwise null, and it waits on the timer for a
     * token, without a pool thread and, as an ETA task, without its prefetch slot, so that other task types go on
     * arriving. Up to a bound: past {@link #maxFreeRateWaits()} waiting, a message keeps its slot, and a flood of
     * one limited type slows fetching rather than filling the worker's memory (Celery's does not bound it).
     */
    private TaskRunner.Job admitByRateLimit(Delivery d, TaskMessage task, TaskRunner.Job job, boolean holdsPermit) {
        String declared = registry.find(task.task()).map(t -> t.options().rateLimit()).orElse("");
        RateWait[] held = new RateWait[1];
        boolean now = rateLimits.admit(task.task(), declared, () -> {
            boolean keepsPermit = holdsPermit && rateLimits.waiting() >= maxFreeRateWaits();
            if (holdsPermit && !keepsPermit) {
                prefetch.release();
            }
            job.releasesPermit(keepsPermit);
            held[0] = new RateWait(d, task, job, keepsPermit);
            return held[0];
        });
        if (now) {
            return job;
        }
        long handBackMillis = handBackAfterMillis();
        if (handBackMillis != Long.MAX_VALUE) {
            // Hand it back before the broker takes it, as one waiting for a distant ETA.
            timer.schedule(() -> {
                if (rateLimits.cancel(task.task(), held[0])) {
                    handBack(d, task, job, held[0].holdsPermit());
                }
            }, handBackMillis, TimeUnit.MILLISECONDS);
        }
        return null;
    }

    private int maxFreeRateWaits() {
        return 10 * pool.size() * pool.multiplier();
    }

    /** Called from the timer when a task that waited for its rate limit gets its token. */
    private void rateAllows(RateWait w) {
        try {
            pool.execute(w.job());
        } catch (RejectedExecutionException e) {
            requests.ended(w.job());
            outcomes.giveBack(w.delivery(), w.holdsPermit()); // the pool shut down in between: a warm stop
        }
    }

    /**
     * How long a delivery waiting for its ETA may be held: half the broker's limit on unsettled deliveries
     * (RabbitMQ's {@code consumer_timeout}, celery#6760), or forever.
     */
    private long handBackAfterMillis() {
        Duration max = transport.maxHold();
        return max == null || max.isZero() || max.isNegative() ? Long.MAX_VALUE : Math.max(1, max.toMillis() / 2);
    }

    /**
     * Gives a message whose ETA is still far back to its queue as a fresh copy, published before the original is
     * acked (a crash in between duplicates it, never loses it). Whichever worker receives the copy holds it anew.
     * Stays held and tries again later when the copy cannot be published. Either way this job is over.
     */
    private void handBack(Delivery d, TaskMessage task, TaskRunner.Job job, boolean holdsPermit) {
        requests.ended(job);
        if (!state.running()) {
            outcomes.giveBack(d, holdsPermit);
            return;
        }
        Message m = d.message();
        try {
            transport.publish(d.queue(), Redeliveries.fresh(m, m.headers()));
        } catch (RuntimeException e) {
            LOG.warn("Cannot hand back task {} waiting for its ETA {}; holding it: {}", task.id(), task.eta(),
                    e.getMessage());
            redispatch.redispatch(d, holdsPermit);
            return;
        }
        LOG.debug("Task {} waits for its ETA {} or rate limit beyond the broker's hold limit: handed back to {}",
                task.id(), task.eta(), d.queue());
        outcomes.settle(d, true, holdsPermit);
    }

    /** Gives back what waits for its ETA or a rate-limit token, for a warm shutdown. */
    void giveBackWaiting() {
        for (Map.Entry<TaskRunner.Job, ScheduledFuture<?>> e : waitingForEta.entrySet()) {
            if (e.getValue().cancel(false)) {
                requests.ended(e.getKey());
                outcomes.giveBack(e.getKey().delivery(), false);
            }
        }
        for (RateWait w : rateLimits.cancelAll()) {
            requests.ended(w.job());
            outcomes.giveBack(w.delivery(), w.holdsPermit());
        }
    }

    /** As {@link Worker#setRateLimit}. */
    void setRateLimit(String taskName, String limit) {
        rateLimits.set(taskName, limit);
    }

    /** The rate limit a task type runs with here, empty for none. */
    String rateLimit(String taskName) {
        return rateLimits.limit(taskName, registry.find(taskName).map(t -> t.options().rateLimit()).orElse(""));
    }
}
