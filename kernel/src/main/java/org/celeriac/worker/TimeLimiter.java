package org.celeriac.worker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import org.celeriac.protocol.ExceptionInfo;
import org.celeriac.protocol.TaskMessage;
import org.celeriac.task.SoftTimeLimitExceeded;
import org.celeriac.task.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Enforces tasks' time limits as Celery's pool does. At the soft limit the task's thread is interrupted, so that
 * the task can clean up; at the hard limit the attempt is abandoned: the task fails with {@code TimeLimitExceeded}
 * and the pool gets one more thread in place of the stuck one, which a thread cannot be killed in the JVM. The
 * stuck thread leaves the pool when it returns; its outcome is discarded.
 */
final class TimeLimiter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TimeLimiter.class);
    private static final String BILLIARD = "billiard.exceptions";

    /** Time limits of one attempt; null for none. */
    record Limits(Duration hard, Duration soft) {
        static final Limits NONE = new Limits(null, null);
    }

    /** What to do when an attempt is abandoned at its hard limit, with the stuck thread's stack at that moment. */
    interface Abandon {
        void abandoned(Duration limit, StackTraceElement[] stack);
    }

    private final ThreadPoolExecutor pool;
    private final String name;
    /** Limits set at run time per task type, in place of the task's own. */
    private final Map<String, Limits> overrides = new ConcurrentHashMap<>();
    /** Created with the first limit to watch: most workers have none. */
    private ScheduledExecutorService timer;
    private boolean closed;
    /** Threads abandoned and not yet returned. */
    private int stuck;

    TimeLimiter(ThreadPoolExecutor pool, String name) {
        this.pool = pool;
        this.name = name;
    }

    /**
     * The limits of an attempt, each on its own as Celery takes them: the call's ({@code timelimit} header),
     * else the task's, else the worker's.
     */
    static Limits resolve(TaskMessage message, Task task, TaskDefaults worker) {
        return resolve(message, seconds(task.timeLimit()), seconds(task.softTimeLimit()), worker);
    }

    private static Limits resolve(TaskMessage message, Duration taskHard, Duration taskSoft, TaskDefaults worker) {
        Duration hard = first(seconds(message.hardTimeLimit()), taskHard, worker.timeLimit());
        Duration soft = first(seconds(message.softTimeLimit()), taskSoft, worker.softTimeLimit());
        return hard == null && soft == null ? Limits.NONE : new Limits(hard, soft);
    }

    /**
     * As {@link #resolve}, with the limits {@link #override} set for the task's type in place of its own: as
     * Celery's {@code time_limit} command sets the task's attributes, the call's limits still win over them.
     */
    Limits limits(TaskMessage message, Task task, TaskDefaults worker) {
        Limits set = overrides.isEmpty() ? null : overrides.get(message.task());
        return set == null ? resolve(message, task, worker) : resolve(message, set.hard(), set.soft(), worker);
    }

    /**
     * Replaces a task type's own limits for the attempts that start from now on, as Celery's {@code time_limit}
     * control command; null (or 0) for none of the task's own, so that the worker's applies.
     *
     * @throws IllegalArgumentException for a limit below zero, or not a number
     */
    void override(String taskName, Double softSeconds, Double hardSeconds) {
        for (Double limit : new Double[] {softSeconds, hardSeconds}) {
            if (limit != null && !(limit >= 0 && limit < Double.POSITIVE_INFINITY)) {
                throw new IllegalArgumentException("not a time limit in seconds: " + limit);
            }
        }
        overrides.put(taskName, new Limits(seconds(hardSeconds), seconds(softSeconds)));
    }

    /** Starts watching the calling thread; end with {@link Watch#finish()} when the task returns. */
    Watch watch(Limits limits, String task, Abandon abandon) {
        Watch w = new Watch(Thread.currentThread(), task, limits, abandon);
        if (limits != Limits.NONE) {
            ScheduledExecutorService t = timer();
            if (t != null) {
                if (limits.soft() != null) {
                    w.softTimer = t.schedule(w::softLimit, limits.soft().toNanos(), TimeUnit.NANOSECONDS);
                }
                if (limits.hard() != null) {
                    w.hardTimer = t.schedule(w::hardLimit, limits.hard().toNanos(), TimeUnit.NANOSECONDS);
                }
            }
        }
        return w;
    }

    private synchronized ScheduledExecutorService timer() {
        if (timer == null && !closed) {
            ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
                Thread thread = new Thread(r, name);
                thread.setDaemon(true);
                return thread;
            });
            // Nearly every limit is cancelled by its task ending first: do not keep them queued until they are due.
            t.setRemoveOnCancelPolicy(true);
            timer = t;
        }
        return timer;
    }

    /** One more pool thread in place of a stuck one. */
    private synchronized void replaceThread() {
        stuck++;
        pool.setMaximumPoolSize(pool.getMaximumPoolSize() + 1);
        pool.setCorePoolSize(pool.getCorePoolSize() + 1);
        pool.prestartCoreThread();
    }

    /** A stuck thread came back: the pool shrinks again, the surplus thread leaving when next idle. */
    private synchronized void threadReturned() {
        stuck--;
        pool.setCorePoolSize(pool.getCorePoolSize() - 1);
        pool.setMaximumPoolSize(pool.getMaximumPoolSize() - 1);
    }

    /** Threads abandoned at their hard limit that have not returned. */
    synchronized int stuck() {
        return stuck;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** Celery's result for an attempt abandoned at its hard limit: billiard's {@code TimeLimitExceeded(limit)}. */
    static Map<String, Object> hardLimitResult(Duration limit) {
        return ExceptionInfo.result("TimeLimitExceeded", BILLIARD, List.of(seconds(limit)));
    }

    /** What a task that let the soft limit's interrupt (or {@link SoftTimeLimitExceeded}) out is reported as. */
    static Map<String, Object> softLimitResult() {
        return ExceptionInfo.result("SoftTimeLimitExceeded", BILLIARD, List.of());
    }

    /** Whether {@code t} is how the interrupt of a soft limit came out of a task. */
    static boolean fromInterrupt(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof InterruptedException || c instanceof java.io.InterruptedIOException
                    || c instanceof java.nio.channels.ClosedByInterruptException) {
                return true;
            }
        }
        return false;
    }

    /** Seconds as Celery writes them: a whole number without a fraction. */
    private static Number seconds(Duration d) {
        double s = d.toNanos() / 1e9;
        return s == Math.rint(s) ? (Number) (long) s : s;
    }

    private static Duration seconds(Double s) {
        return s == null || s <= 0 ? null : Duration.ofNanos(Math.round(s * 1e9));
    }

    private static Duration first(Duration a, Duration b, Duration c) {
        return a != null ? a : b != null ? b : c;
    }

    /** The limits of one running attempt. */
    final class Watch {
        private final Thread thread;
        private final String task;
        private final Limits limits;
        private final Abandon abandon;
        private volatile ScheduledFuture<?> softTimer;
        private volatile ScheduledFuture<?> hardTimer;
        private boolean finished;
        private boolean abandoned;
        private boolean softExceeded;

        private Watch(Thread thread, String task, Limits limits, Abandon abandon) {
            this.thread = thread;
            this.task = task;
            this.limits = limits;
            this.abandon = abandon;
        }

        /** Whether the soft limit has passed (and interrupted the task). */
        synchronized boolean softExceeded() {
            return softExceeded;
        }

        /**
         * Ends the watch, from the task's thread once the task returned. False when the attempt was abandoned at
         * its hard limit: its outcome is no longer the task's, and the thread leaves the pool. Clears an interrupt
         * the soft limit sent, so that it cannot break the result's I/O.
         */
        boolean finish() {
            boolean gone;
            boolean interrupted;
            synchronized (this) {
                gone = abandoned;
                finished = true;
                interrupted = softExceeded;
            }
            if (softTimer != null) {
                softTimer.cancel(false);
            }
            if (hardTimer != null) {
                hardTimer.cancel(false);
            }
            if (gone) {
                LOG.warn("Task {} abandoned at its hard time limit returned; its outcome is discarded, and its "
                        + "thread {} leaves the pool", task, thread.getName());
                threadReturned();
                Thread.interrupted();
                return false;
            }
            if (interrupted) {
                Thread.interrupted();
            }
            return true;
        }

        private void softLimit() {
            synchronized (this) {
                if (finished || abandoned) {
                    return;
                }
                softExceeded = true;
                thread.interrupt();
            }
            LOG.warn("Soft time limit ({}s) exceeded for {}", seconds(limits.soft()), task);
        }

        private void hardLimit() {
            synchronized (this) {
                if (finished) {
                    return;
                }
                abandoned = true;
                replaceThread(); // before the thread can return and give its place back
            }
            StackTraceElement[] stack = thread.getStackTrace();
            LOG.error("Hard time limit ({}s) exceeded for {}; its thread {} is abandoned and replaced",
                    seconds(limits.hard()), task, thread.getName());
            try {
                abandon.abandoned(limits.hard(), stack);
            } finally {
                synchronized (this) {
                    if (!finished) {
                        thread.interrupt(); // it may yet end, and leave the pool; not once it runs another task
                    }
                }
            }
        }
    }
}
