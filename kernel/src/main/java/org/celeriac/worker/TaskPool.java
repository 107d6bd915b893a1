package org.celeriac.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.celeriac.spi.transport.Delivery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads that run tasks (fixed, solo, virtual threads, or autoscaled, per {@link DispatchOptions}): counts the
 * work handed to it, wakes the consumer as it finishes some, and keeps the prefetch limit at its size times the
 * prefetch multiplier as it resizes. It owns the {@link TimeLimiter}, which adds and removes threads in place of
 * those stuck past their hard limit.
 */
final class TaskPool {
    private static final Logger LOG = LoggerFactory.getLogger(TaskPool.class);

    /** Work on the pool that stands for a held delivery: what a warm shutdown gives back if it has not started. */
    interface Pending extends Runnable {
        Delivery delivery();
    }

    private final ThreadPoolExecutor executor;
    private final TimeLimiter timeLimiter;
    private final PrefetchSlots prefetch;
    private final RunState state;
    private final ScheduledExecutorService timer;
    private final boolean solo;
    private final boolean disablePrefetch;
    /** Messages taken ahead per thread. */
    private final int multiplier;
    /** Work handed to the pool and not yet over: queued or running. */
    private final AtomicInteger busy = new AtomicInteger();
    /** The pool's size, between the autoscale bounds, not counting threads added in place of stuck ones. */
    private volatile int size;
    /** The bounds it autoscales within, null for a fixed size; set at run time too. */
    private volatile DispatchOptions.Autoscale autoscale;
    private volatile long lastGrownNanos = System.nanoTime();
    private ScheduledFuture<?> autoscaling; // guarded by this
    private boolean started; // guarded by this
    /** Whether the consumer waits for the pool's queue to drain (see {@link #awaitRoom}). */
    private volatile boolean waitingForRoom;
    private volatile Thread consumer;

    /** @param timer where autoscaling runs, once a second */
    TaskPool(WorkerOptions options, DispatchOptions dispatch, ScheduledExecutorService timer, RunState state) {
        this.state = state;
        this.timer = timer;
        this.solo = dispatch.pool() == DispatchOptions.Pool.SOLO;
        this.autoscale = dispatch.autoscale();
        this.disablePrefetch = dispatch.disablePrefetch();
        this.multiplier = multiplier(options, dispatch);
        this.size = initialSize(options, dispatch);
        this.prefetch = new PrefetchSlots(size * multiplier);
        this.executor = newExecutor(size, dispatch.pool());
        this.timeLimiter = new TimeLimiter(executor, "celeriac-time-limits");
    }

    private static int initialSize(WorkerOptions options, DispatchOptions dispatch) {
        if (dispatch.pool() == DispatchOptions.Pool.SOLO) {
            return 1;
        }
        return dispatch.autoscale() == null ? options.concurrency() : dispatch.autoscale().min();
    }

    /** Messages taken ahead per thread: one with prefetch disabled. */
    private static int multiplier(WorkerOptions options, DispatchOptions dispatch) {
        return dispatch.disablePrefetch() ? 1 : options.prefetchMultiplier();
    }

    /** The executor, counting the work handed to it, and waking the consumer as it finishes some. */
    private ThreadPoolExecutor newExecutor(int threads, DispatchOptions.Pool kind) {
        ThreadPoolExecutor p = new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), kind == DispatchOptions.Pool.VIRTUAL ? virtualThreads("celeriac-task")
                : threads("celeriac-pool")) {
            @Override
            public void execute(Runnable command) {
                busy.incrementAndGet();
                try {
                    super.execute(command);
                } catch (RuntimeException e) {
                    busy.decrementAndGet();
                    throw e;
                }
            }

            @Override
            protected void afterExecute(Runnable r, Throwable t) {
                busy.decrementAndGet();
                roomMade();
            }
        };
        if (kind == DispatchOptions.Pool.VIRTUAL) {
            // A virtual thread is cheap to start: it leaves as soon as no work waits, so that a task mostly gets a
            // fresh one; the pool's size still bounds how many tasks run at once.
            p.setKeepAliveTime(1, TimeUnit.MILLISECONDS);
            p.allowCoreThreadTimeOut(true);
        }
        return p;
    }

    /** @throws java.util.concurrent.RejectedExecutionException once the pool is shut down */
    void execute(Runnable work) {
        executor.execute(work);
    }

    /** The prefetch limit, which follows the pool's size: its size times the multiplier. */
    PrefetchSlots prefetch() {
        return prefetch;
    }

    TimeLimiter timeLimiter() {
        return timeLimiter;
    }

    /** How many threads the pool currently has, not counting those in place of stuck ones. */
    int size() {
        return size;
    }

    /** Messages taken ahead per thread. */
    int multiplier() {
        return multiplier;
    }

    /**
     * Work handed to the pool and not over, less the runs abandoned at their hard time limit: their outcome was
     * settled then, their threads were replaced, and they may never return.
     */
    int working() {
        return busy.get() - timeLimiter.stuck();
    }

    /** Work on the pool a stop waits for: {@link #working()}, until the pool has terminated. */
    int unfinished() {
        return executor.isTerminated() ? 0 : working();
    }

    /**
     * Holds the consumer while a full round of work waits for pool threads. Without it, the consumer would fetch
     * as soon as one slot frees, one or two messages per broker round trip; waiting until fewer than
     * {@code concurrency} tasks are queued lets it fetch a batch, and still refills before a thread goes idle.
     */
    void awaitRoom() {
        consumer = Thread.currentThread();
        while (state.running() && !hasRoom()) {
            waitingForRoom = true;
            if (!hasRoom()) {
                LockSupport.parkNanos(this, 50_000_000L);
            }
            waitingForRoom = false;
        }
    }

    /**
     * Whether the consumer may fetch: fewer than a round of work queued, or, with prefetch disabled, a thread idle.
     */
    private boolean hasRoom() {
        return disablePrefetch ? working() < size : executor.getQueue().size() < size;
    }

    /** Wakes the consumer when the pool's queue has drained below a round of work. */
    void roomMade() {
        if (waitingForRoom && hasRoom()) {
            LockSupport.unpark(consumer);
        }
    }

    /** Starts autoscaling, if it is on. */
    synchronized void start() {
        started = true;
        if (autoscale != null) {
            autoscaleEverySecond();
        }
    }

    private void autoscaleEverySecond() { // guarded by this
        if (autoscaling == null) {
            autoscaling = timer.scheduleWithFixedDelay(this::autoscale, 1, 1, TimeUnit.SECONDS);
        }
    }

    /**
     * As Celery's autoscaler: grows at once to as many threads as there is work handed to the pool (within the
     * bounds), and shrinks to that only once it has not grown for the keepalive, so that a burst does not make
     * threads come and go. The prefetch limit follows the size.
     */
    private synchronized void autoscale() {
        DispatchOptions.Autoscale a = autoscale;
        if (a == null || !state.running()) {
            return;
        }
        int want = Math.min(a.max(), Math.max(a.min(), working()));
        int now = size;
        if (want > now) {
            lastGrownNanos = System.nanoTime();
            resize(want);
            LOG.info("Autoscale: pool grown from {} to {} threads", now, want);
        } else if (want < now && System.nanoTime() - lastGrownNanos >= a.keepalive().toNanos()) {
            resize(want);
            LOG.info("Autoscale: pool shrunk from {} to {} threads", now, want);
        }
    }

    /**
     * As Celery's {@code pool_grow}: {@code n} threads more, and the prefetch limit with them. Refused while the pool
     * autoscales, as Celery 5 refuses it: move the autoscale bounds instead.
     *
     * @throws IllegalStateException    for the solo pool, or while autoscaling
     * @throws IllegalArgumentException for {@code n} below 1
     */
    synchronized void grow(int n) {
        resizable("pool_grow", n);
        if (solo) {
            throw new IllegalStateException("the solo pool runs one task at a time: it cannot grow");
        }
        resize(Math.addExact(size, n));
    }

    /**
     * As Celery's {@code pool_shrink}: {@code n} threads fewer, never below one, and the prefetch limit with them.
     * A thread running a task leaves once the task is over. Refused while the pool autoscales, as {@link #grow}.
     */
    synchronized void shrink(int n) {
        resizable("pool_shrink", n);
        resize(Math.max(1, size - n));
    }

    private void resizable(String command, int n) {
        if (n < 1) {
            throw new IllegalArgumentException(command + " takes a number of threads of 1 or more, not " + n);
        }
        if (autoscale != null) {
            throw new IllegalStateException(command + " is not supported with autoscale: adjust the autoscale "
                    + "range instead");
        }
    }

    /** The bounds it autoscales within now, null for a fixed size. */
    DispatchOptions.Autoscale autoscaleBounds() {
        return autoscale;
    }

    /**
     * Autoscales within new bounds from now on, turning autoscaling on for a pool of a fixed size: as Celery's
     * {@code autoscale} control command, a pool outside the bounds is brought within them at once.
     *
     * @throws IllegalArgumentException unless {@code 1 <= min <= max}
     * @throws IllegalStateException    for the solo pool
     */
    synchronized void autoscale(int max, int min) {
        if (solo) {
            throw new IllegalStateException("the solo pool runs one task at a time: it cannot autoscale");
        }
        DispatchOptions.Autoscale now = autoscale;
        DispatchOptions.Autoscale bounds = new DispatchOptions.Autoscale(max, min,
                now == null ? DispatchOptions.Autoscale.KEEPALIVE : now.keepalive());
        if (size > max) {
            resize(max);
        } else if (size < min) {
            resize(min);
        }
        autoscale = bounds;
        if (started) {
            autoscaleEverySecond();
        }
    }

    /** Sets the pool's size, keeping threads that replace stuck ones, and the prefetch limit with it. */
    private void resize(int to) { // guarded by this
        if (to == size) {
            return;
        }
        int by = to - size;
        synchronized (timeLimiter) { // the time limiter adds and removes threads too
            if (by > 0) {
                executor.setMaximumPoolSize(executor.getMaximumPoolSize() + by);
                executor.setCorePoolSize(executor.getCorePoolSize() + by);
            } else {
                executor.setCorePoolSize(executor.getCorePoolSize() + by);
                executor.setMaximumPoolSize(executor.getMaximumPoolSize() + by);
            }
        }
        size = to;
        int slots = by * multiplier;
        if (slots > 0) {
            prefetch.release(slots);
        } else {
            prefetch.reduce(-slots);
        }
        roomMade();
    }

    /** Takes the work not started off the queue; it leaves {@link #busy}, as it never runs. */
    List<Pending> drainQueue() {
        List<Runnable> notStarted = new ArrayList<>();
        executor.getQueue().drainTo(notStarted);
        return notStarted(notStarted);
    }

    /** Lets the work handed to the pool finish, and takes no more. */
    void shutdown() {
        executor.shutdown();
    }

    /** Interrupts the running tasks, and takes the work not started off the queue, as {@link #drainQueue()}. */
    List<Pending> shutdownNow() {
        return notStarted(executor.shutdownNow());
    }

    private List<Pending> notStarted(List<Runnable> work) {
        busy.addAndGet(-work.size());
        List<Pending> pending = new ArrayList<>(work.size());
        for (Runnable r : work) {
            pending.add((Pending) r);
        }
        return pending;
    }

    /** Waits until the pool has terminated, or for the timeout; returns at once once terminated. */
    void awaitTermination(long millis) throws InterruptedException {
        executor.awaitTermination(millis, TimeUnit.MILLISECONDS);
    }

    /** Java 21's virtual threads, reached reflectively so that this compiles and runs on Java 17. */
    static ThreadFactory virtualThreads(String prefix) {
        if (Runtime.version().feature() < 21) {
            throw new IllegalArgumentException("the virtual pool needs Java 21 or later; this is Java "
                    + Runtime.version().feature() + " (use --pool threads)");
        }
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> builderType = Class.forName("java.lang.Thread$Builder");
            builder = builderType.getMethod("name", String.class, long.class).invoke(builder, prefix + "-", 1L);
            return (ThreadFactory) builderType.getMethod("factory").invoke(builder);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot make virtual threads on Java " + Runtime.version(), e);
        }
    }

    /** Daemon threads named {@code prefix-1}, {@code prefix-2}, ... */
    static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
