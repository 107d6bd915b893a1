package org.celeriac.worker;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.DoubleSupplier;

import org.celeriac.discovery.PluginCatalog;
import org.celeriac.protocol.ExceptionInfo;
import org.celeriac.protocol.MalformedMessageException;
import org.celeriac.protocol.ProtocolV2;
import org.celeriac.protocol.TaskMessage;
import org.celeriac.registry.TaskRegistry;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.spi.serializer.Serializer;
import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes queues and runs tasks. One consumer thread takes messages up to the prefetch limit
 * (pool size x multiplier); a pool runs them (fixed, solo, virtual threads, or autoscaled, per
 * {@link DispatchOptions}); messages with a future ETA wait on a timer, not on a
 * pool thread, and do not count against the prefetch limit. Nothing it cannot run is dropped: bad messages go
 * to the dead-letter queue with the reason, and, when they carry a task id, a FAILURE result says why.
 */
public final class Worker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    /**
     * How long a message for a task whose package was just removed waits for it to come back (a hot redeploy
     * is an uninstall then an install) before it is dead-lettered as unregistered.
     */
    static final Duration REDEPLOY_GRACE = Duration.ofSeconds(30);
    private static final long REDEPLOY_RETRY_MILLIS = 500;

    private final Transport transport;
    private final ResultBackend backend;
    private final TaskRegistry registry;
    private final WorkerOptions options;
    /** Accepted content types and the codec for each. */
    private final Map<String, ProtocolV2> codecs = new LinkedHashMap<>();
    private final Serializer resultSerializer;
    private final TaskRunner runner;
    private final Settler settler;
    private final DispatchOptions dispatch;
    private final RateLimiter<RateWait> rateLimits;
    private final Revocations revocations;
    private final TimeLimiter timeLimiter;

    private final Slots prefetch;
    private final MemoryGuard memory;
    /** Work handed to the pool and not yet over: queued or running. */
    private final AtomicInteger busy = new AtomicInteger();
    /** The pool's size, between the autoscale bounds, not counting threads added in place of stuck ones. */
    private volatile int size;
    private volatile long lastGrownNanos = System.nanoTime();
    /** A cold shutdown: running tasks are interrupted and left unsettled, for the broker to give out again. */
    private volatile boolean cold;
    /** Deliveries taken and not yet settled, by identity: a record's hash would hash the whole message. */
    private final Map<Ref, Delivery> held = new ConcurrentHashMap<>();
    private final Map<Ref, ScheduledFuture<?>> waitingForEta = new ConcurrentHashMap<>();
    private final Set<Ref> waitingForRedeploy = ConcurrentHashMap.newKeySet();
    private final ThreadPoolExecutor pool;
    private final ScheduledExecutorService timer;
    private final AtomicInteger processed = new AtomicInteger();
    private volatile boolean running;
    /** Set once the worker interrupts the tasks still running: see {@link #interruptRunning()}. */
    private volatile boolean cuttingShort;
    /** Whether the consumer waits for the pool's queue to drain (see {@link #waitForRoom}). */
    private volatile boolean waitingForRoom;
    private Thread consumer;
    private boolean stopping;

    /**
     * @param serializers the catalog that names the serializers behind {@code acceptContent}
     */
    public Worker(Transport transport, ResultBackend backend, TaskRegistry registry, PluginCatalog serializers,
                  WorkerOptions options) {
        this(transport, backend, registry, serializers, options, DispatchOptions.defaults());
    }

    /**
     * @param serializers the catalog that names the serializers behind {@code acceptContent}
     * @param dispatch    rate limits, the redelivery cap, where revokes are kept
     */
    public Worker(Transport transport, ResultBackend backend, TaskRegistry registry, PluginCatalog serializers,
                  WorkerOptions options, DispatchOptions dispatch) {
        this(transport, backend, registry, serializers, options, dispatch, MemoryGuard::heapAfterGc);
    }

    /** @param heapShare how full the heap is, 0 to 1, for the memory guard */
    Worker(Transport transport, ResultBackend backend, TaskRegistry registry, PluginCatalog serializers,
           WorkerOptions options, DispatchOptions dispatch, DoubleSupplier heapShare) {
        this.dispatch = dispatch;
        this.revocations = dispatch.stateDb() == null ? Revocations.inMemory() : Revocations.open(dispatch.stateDb());
        this.transport = transport;
        this.backend = backend;
        this.registry = registry;
        this.options = options;
        for (String accepted : options.acceptContent()) {
            Serializer s = serializers.serializer(accepted);
            codecs.put(s.contentType(), new ProtocolV2(s));
        }
        this.resultSerializer = serializers.serializer("json");
        this.size = initialSize(options, dispatch);
        this.prefetch = new Slots(size * multiplier(options, dispatch));
        this.memory = new MemoryGuard(dispatch.maxMemoryPercent(), heapShare);
        this.pool = newPool(size, dispatch.pool());
        this.timer = new ScheduledThreadPoolExecutor(1, threads("celeriac-timer"));
        this.runner = new TaskRunner(this);
        this.settler = new Settler(transport, backend, options.resultExpires(), this::settled);
        this.rateLimits = new RateLimiter<>(timer, dispatch.defaultRateLimit(), this::rateAllows);
        this.timeLimiter = new TimeLimiter(pool, "celeriac-time-limits");
    }

    public WorkerOptions options() {
        return options;
    }

    /** How many messages this worker has settled. */
    public int processed() {
        return processed.get();
    }

    /** Starts consuming. A worker runs once: after {@link #stop()} make a new one. */
    public synchronized void start() {
        if (running) {
            return;
        }
        if (timer.isShutdown() || stopping) {
            throw new IllegalStateException("worker " + options.hostname() + " was stopped; make a new one");
        }
        running = true;
        for (String q : options.queues()) {
            transport.declare(q);
        }
        long renewMillis = options.leaseRenewInterval().toMillis();
        Duration lease = transport.visibilityTimeout();
        if (lease != null && lease.toMillis() > 0) {
            // Renew three times per lease, so one late renewal does not let the message go.
            renewMillis = Math.max(10, Math.min(renewMillis, lease.toMillis() / 3));
        }
        timer.scheduleWithFixedDelay(this::renewLeases, renewMillis, renewMillis, TimeUnit.MILLISECONDS);
        if (memory.enabled()) {
            memory.check(); // before the first fetch
            timer.scheduleWithFixedDelay(memory::check, 1, 1, TimeUnit.SECONDS);
        }
        consumer = threads("celeriac-consumer").newThread(this::consume);
        consumer.start();
        if (dispatch.autoscale() != null) {
            timer.scheduleWithFixedDelay(this::autoscale, 1, 1, TimeUnit.SECONDS);
        }
        LOG.info("Worker {} consuming {} with a {} pool of {}{}; tasks: {}", options.hostname(), options.queues(),
                dispatch.pool().name().toLowerCase(java.util.Locale.ROOT), size,
                dispatch.autoscale() == null ? "" : " (autoscale " + dispatch.autoscale().max() + ","
                        + dispatch.autoscale().min() + ")", registry.names());
    }

    /**
     * Warm shutdown: stops taking messages, gives back those not started, waits up to the shutdown timeout for
     * running tasks, then interrupts those still running (see {@link #interruptRunning()}). It does not wait for
     * threads abandoned at their hard time limit: their tasks were settled then, and such a thread, which may never
     * return, is left behind.
     */
    public void stop() {
        Thread c;
        synchronized (this) {
            if (consumer == null || stopping) {
                return;
            }
            stopping = true;
            running = false;
            c = consumer;
        }
        try {
            // Not interrupted: an interrupt in the middle of JDBC or socket I/O can break the connection.
            c.join(10_000);
            for (Map.Entry<Ref, ScheduledFuture<?>> e : waitingForEta.entrySet()) {
                if (e.getValue().cancel(false)) {
                    giveBack(e.getKey().delivery(), false);
                }
            }
            for (RateWait w : rateLimits.cancelAll()) {
                giveBack(w.delivery(), w.holdsPermit());
            }
            List<Runnable> notStarted = new ArrayList<>();
            pool.getQueue().drainTo(notStarted);
            giveBackNotStarted(notStarted);
            pool.shutdown();
            awaitUnfinished(options.shutdownTimeout(), true);
            if (unfinished() > 0) {
                if (cold) {
                    // nothing is stored or acked any more: the broker gets it all back
                    giveBackNotStarted(pool.shutdownNow());
                } else {
                    LOG.warn("Tasks still running after {}; interrupting them", options.shutdownTimeout());
                    interruptRunning();
                }
                awaitUnfinished(Duration.ofSeconds(cold ? 1 : 5), false);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            settler.drain();
            timer.shutdownNow();
            timeLimiter.close();
        }
        int stuck = timeLimiter.stuck();
        if (stuck > 0) {
            // A JVM thread cannot be killed; pool threads are daemons, so they do not hold the JVM's exit either.
            LOG.warn("Worker {}: {} task thread(s) abandoned at their hard time limit still running; left behind",
                    options.hostname(), stuck);
        }
        LOG.info("Worker {} stopped after {} messages", options.hostname(), processed.get());
    }

    /** Work on the pool a stop waits for: {@link #working()}, until the pool has terminated. */
    private int unfinished() {
        return pool.isTerminated() ? 0 : working();
    }

    /**
     * Work handed to the pool and not over, less the runs abandoned at their hard time limit: their outcome was
     * settled then, their threads were replaced, and they may never return.
     */
    private int working() {
        return busy.get() - timeLimiter.stuck();
    }

    /**
     * Waits up to {@code timeout} for {@link #unfinished()} work to end, in slices, so that a cold shutdown asked for
     * meanwhile ends the wait when {@code untilCold}.
     */
    private void awaitUnfinished(Duration timeout, boolean untilCold) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!(untilCold && cold) && unfinished() > 0 && System.nanoTime() < deadline) {
            // Returns at once when the pool has terminated; with a stuck thread it never does, so poll.
            pool.awaitTermination(Math.min(50, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)),
                    TimeUnit.MILLISECONDS);
        }
    }

    /** Gives back work taken off the pool's queue unstarted: it leaves {@link #busy}, as it never runs. */
    private void giveBackNotStarted(List<Runnable> notStarted) {
        busy.addAndGet(-notStarted.size());
        for (Runnable r : notStarted) {
            giveBack(((Pending) r).delivery(), false);
        }
    }

    /**
     * Cold shutdown, as Celery's second Ctrl-C: running tasks are interrupted and their messages left unsettled, so
     * that late-ack ones go back to the broker when the transport closes (early-ack ones were acked already);
     * messages not started are given back. Ends a warm {@link #stop()} under way on another thread; returns at once
     * (a stop still has to run, or to be running, to release the worker).
     */
    public void stopNow() {
        if (!cold) {
            LOG.warn("Worker {}: cold shutdown; running tasks are interrupted and not acknowledged", options.hostname());
        }
        cold = true;
        running = false;
        giveBackNotStarted(pool.shutdownNow());
    }

    @Override
    public void close() {
        stop();
    }

    /**
     * Interrupts the tasks still running, for a shutdown that waits no longer. A task that then ends by an
     * exception was lost by the worker, not failed by its code: it is requeued or fails with {@code WorkerLostError}
     * as its {@code reject_on_worker_lost} says (see {@link TaskRunner}).
     */
    void interruptRunning() {
        cuttingShort = true;
        giveBackNotStarted(pool.shutdownNow());
    }

    /** Whether the worker is interrupting its running tasks. */
    boolean cuttingShort() {
        return cuttingShort;
    }

    /** Whether a cold shutdown was asked for: from then on nothing is stored, published for a retry, or settled. */
    boolean cold() {
        return cold;
    }

    private void consume() {
        long backoff = 100;
        while (running) {
            waitForRoom();
            if (memory.paused()) {
                LockSupport.parkNanos(this, 200_000_000L);
                continue;
            }
            int want;
            try {
                if (!prefetch.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                want = 1 + prefetch.drainPermits();
                if (dispatch.disablePrefetch()) {
                    // Only as many as there are idle threads: what no thread is free for stays on the broker for
                    // another worker, as Celery 5.5's worker_disable_prefetch.
                    int idle = Math.max(1, size - working());
                    if (want > idle) {
                        prefetch.release(want - idle);
                        want = idle;
                    }
                }
            } catch (InterruptedException e) {
                break;
            }
            List<Delivery> got = List.of();
            try {
                got = transport.receive(options.queues(), want, Duration.ofSeconds(1));
                backoff = 100;
            } catch (TransportException e) {
                LOG.warn("Cannot receive from the broker, retrying in {} ms: {}", backoff, e.getMessage());
                sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.error("Unexpected error receiving messages, retrying in {} ms", backoff, e);
                sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            } finally {
                prefetch.release(want - got.size());
            }
            for (Delivery d : got) {
                held.put(new Ref(d), d);
                // Decoding happens on the pool thread that runs the task: one consumer thread decoding for
                // every pool thread would cap the worker's rate.
                try {
                    pool.execute(new Intake(d));
                } catch (RejectedExecutionException e) {
                    giveBack(d, true); // a cold shutdown closed the pool
                }
            }
        }
    }

    /**
     * Holds the consumer while a full round of work waits for pool threads. Without it, the consumer would fetch
     * as soon as one slot frees, one or two messages per broker round trip; waiting until fewer than
     * {@code concurrency} tasks are queued lets it fetch a batch, and still refills before a thread goes idle.
     */
    private void waitForRoom() {
        while (running && !hasRoom()) {
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
        return dispatch.disablePrefetch() ? working() < size : pool.getQueue().size() < size;
    }

    /** Wakes the consumer when the pool's queue has drained below a round of work. */
    private void roomMade() {
        if (waitingForRoom && hasRoom()) {
            LockSupport.unpark(consumer);
        }
    }

    /**
     * As Celery's autoscaler: grows at once to as many threads as there is work handed to the pool (within the
     * bounds), and shrinks to that only once it has not grown for the keepalive, so that a burst does not make
     * threads come and go. The prefetch limit follows the size.
     */
    private void autoscale() {
        DispatchOptions.Autoscale a = dispatch.autoscale();
        if (!running) {
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

    /** Sets the pool's size, keeping threads that replace stuck ones, and the prefetch limit with it. */
    private void resize(int to) {
        int by = to - size;
        synchronized (timeLimiter) { // the time limiter adds and removes threads too
            if (by > 0) {
                pool.setMaximumPoolSize(pool.getMaximumPoolSize() + by);
                pool.setCorePoolSize(pool.getCorePoolSize() + by);
            } else {
                pool.setCorePoolSize(pool.getCorePoolSize() + by);
                pool.setMaximumPoolSize(pool.getMaximumPoolSize() + by);
            }
        }
        size = to;
        int slots = by * multiplier(options, dispatch);
        if (slots > 0) {
            prefetch.release(slots);
        } else {
            prefetch.reduce(-slots);
        }
        roomMade();
    }

    /** How many threads the pool currently has, not counting those in place of stuck ones. */
    public int poolSize() {
        return size;
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

    /** The pool, counting the work handed to it, and waking the consumer as it finishes some. */
    private ThreadPoolExecutor newPool(int threads, DispatchOptions.Pool kind) {
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

    /** The prefetch limit, which autoscaling moves both ways. */
    private static final class Slots extends Semaphore {
        Slots(int permits) {
            super(permits);
        }

        void reduce(int by) {
            reducePermits(by);
        }
    }

    /** Work on the pool that stands for a held delivery: what a warm shutdown gives back if it has not started. */
    interface Pending extends Runnable {
        Delivery delivery();
    }

    /** A delivery just received: decoded and run on the pool thread that takes it. */
    private final class Intake implements Pending {
        private final Delivery delivery;

        Intake(Delivery delivery) {
            this.delivery = delivery;
        }

        @Override
        public Delivery delivery() {
            return delivery;
        }

        @Override
        public void run() {
            roomMade();
            if (delivery.redelivered() && dispatch.maxDeliveries() > 0 && running && recount(delivery)) {
                return;
            }
            TaskRunner.Job job = prepareOrGiveBack(delivery, true);
            if (job != null) {
                job.run();
            }
        }
    }

    /**
     * Decodes and checks a delivery: settles what cannot run (dead letter, expired), puts aside what must wait
     * (ETA, redeploy), and returns the job to run now, or null.
     *
     * @param holdsPermit whether the delivery holds a prefetch slot (not once it waited for its ETA)
     */
    private TaskRunner.Job prepare(Delivery d, boolean holdsPermit) {
        Message m = d.message();
        String id = m.taskId();
        if (m.body().length > options.maxMessageBytes()) {
            deadLetter(d, "message of " + m.body().length + " bytes is larger than message_max_bytes ("
                    + options.maxMessageBytes() + ")", ExceptionInfo.celery("MessageTooLarge", null), holdsPermit);
            return null;
        }
        ProtocolV2 codec = codecs.get(m.contentType());
        if (codec == null) {
            deadLetter(d, "content type '" + m.contentType() + "' is not accepted (accept_content = "
                    + options.acceptContent() + ")", new ExceptionInfo("ContentDisallowed", "kombu.exceptions", null),
                    holdsPermit);
            return null;
        }
        TaskMessage task;
        try {
            task = codec.decode(m);
        } catch (MalformedMessageException e) {
            deadLetter(d, "malformed message: " + e.getMessage(),
                    new ExceptionInfo("MalformedMessage", "celeriac", null), holdsPermit);
            return null;
        }
        if (registry.find(task.task()).isEmpty()) {
            if (registry.wasRemovedWithin(task.task(), REDEPLOY_GRACE) && running) {
                if (waitingForRedeploy.add(new Ref(d))) {
                    LOG.info("Task {} is being redeployed; message {} waits for it", task.task(), id);
                }
                timer.schedule(() -> redispatch(d, holdsPermit), REDEPLOY_RETRY_MILLIS, TimeUnit.MILLISECONDS);
                return null;
            }
            waitingForRedeploy.remove(new Ref(d));
            // Stored as Celery's worker stores it, NotRegistered('name'); the reason stays on the dead letter.
            deadLetter(d, "Received unregistered task of type '" + task.task() + "'",
                    ExceptionInfo.celery("NotRegistered", task.task()), holdsPermit);
            return null;
        }
        waitingForRedeploy.remove(new Ref(d));
        if (isExpired(task)) {
            revokeExpired(d, task, holdsPermit);
            return null;
        }
        if (isRevoked(task)) {
            settleRevoked(d, task, holdsPermit);
            return null;
        }
        TaskRunner.Job job = runner.job(d, task, codec, holdsPermit);
        long delayMillis = task.eta() == null ? 0 : task.eta().toEpochMilli() - System.currentTimeMillis();
        if (delayMillis > 0) {
            // An ETA task waits on the timer and gives its prefetch slot back, as Celery raises its QoS for them.
            if (holdsPermit) {
                prefetch.release();
                job.releasesPermit(false);
            }
            long handBackMillis = handBackAfterMillis();
            if (delayMillis <= handBackMillis) {
                ScheduledFuture<?> f = timer.schedule(() -> {
                    waitingForEta.remove(new Ref(d));
                    if (admit(d, task, job, false) != null) {
                        try {
                            pool.execute(job);
                        } catch (RejectedExecutionException e) {
                            giveBack(d, false); // its ETA came as a stop shut the pool, too late to be cancelled
                        }
                    }
                }, delayMillis, TimeUnit.MILLISECONDS);
                waitingForEta.put(new Ref(d), f);
            } else {
                waitingForEta.put(new Ref(d), timer.schedule(() -> {
                    waitingForEta.remove(new Ref(d));
                    handBack(d, task);
                }, handBackMillis, TimeUnit.MILLISECONDS));
            }
            return null;
        }
        return admit(d, task, job, holdsPermit);
    }

    /** What waits for its task type's rate limit. */
    private record RateWait(Delivery delivery, TaskMessage task, TaskRunner.Job job, boolean holdsPermit) {
    }

    /**
     * The job if its task type's rate limit lets it start now; otherwise null, and it waits on the timer for a
     * token, without a pool thread and, as an ETA task, without its prefetch slot, so that other task types go on
     * arriving. Up to a bound: past {@link #maxFreeRateWaits()} waiting, a message keeps its slot, and a flood of
     * one limited type slows fetching rather than filling the worker's memory (Celery's does not bound it).
     */
    private TaskRunner.Job admit(Delivery d, TaskMessage task, TaskRunner.Job job, boolean holdsPermit) {
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
                    handBack(d, task, held[0].holdsPermit());
                }
            }, handBackMillis, TimeUnit.MILLISECONDS);
        }
        return null;
    }

    private int maxFreeRateWaits() {
        return 10 * size * multiplier(options, dispatch);
    }

    /** Called from the timer when a task that waited for its rate limit gets its token. */
    private void rateAllows(RateWait w) {
        try {
            pool.execute(w.job());
        } catch (RejectedExecutionException e) {
            giveBack(w.delivery(), w.holdsPermit()); // the pool shut down in between: a warm stop
        }
    }

    /**
     * Changes a task type's rate limit at run time, as Celery's {@code rate_limit} control command: {@code "10/s"},
     * {@code "100/m"}, {@code "1000/h"} or a number per second; null or empty for none. It wins over the task's
     * own limit and {@code task_default_rate_limit}, and applies to the tasks already waiting.
     *
     * @throws IllegalArgumentException when the limit cannot be read
     */
    public void setRateLimit(String taskName, String limit) {
        rateLimits.set(taskName, limit);
        LOG.info("Rate limit of {} set to {}", taskName, limit == null || limit.isBlank() ? "none" : limit);
    }

    /** The rate limit a task type runs with here, empty for none. */
    public String rateLimit(String taskName) {
        return rateLimits.limit(taskName, registry.find(taskName).map(t -> t.options().rateLimit()).orElse(""));
    }

    /**
     * Revokes a task, as Celery's {@code revoke}: when it comes to this worker, or if it waits here already, it is
     * settled unrun with a REVOKED result ({@code TaskRevokedError}). With {@code terminate}, a run of it under way
     * here is interrupted and ends REVOKED too. Kept for three hours, across restarts with {@code worker_state_db}.
     */
    public void revoke(String taskId, boolean terminate) {
        if (taskId == null || taskId.isBlank() || taskId.indexOf('\n') >= 0 || taskId.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("not a task id: '" + taskId + "'");
        }
        boolean interrupted = revocations.revoke(taskId, terminate);
        LOG.info("Task {} revoked{}", taskId, interrupted ? "; terminating its run" : "");
    }

    /**
     * Revokes by stamp, as Celery 5.3's {@code revoke_by_stamped_headers}: every task whose message carries the
     * stamped header {@code name} with {@code value} (a list stamp: holding it) is treated as {@link #revoke}
     * treats a revoked id. Kept three hours, across restarts with {@code worker_state_db}, as revokes by id.
     */
    public void revokeByStampedHeader(String name, Object value, boolean terminate) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("not a stamped header name: '" + name + "'");
        }
        int interrupted = revocations.revokeStamped(name, value, terminate);
        LOG.info("Tasks stamped {}={} revoked{}", name, value,
                interrupted > 0 ? "; terminating " + interrupted + " run(s)" : "");
    }

    /** Whether a task was revoked here (and the revoke has not expired). */
    public boolean isRevoked(String taskId) {
        return revocations.isRevoked(taskId);
    }

    boolean isRevoked(TaskMessage task) {
        return revocations.isRevoked(task.id(), Revocations.stamps(task.otherHeaders()));
    }

    /** Settles a revoked task unrun with a REVOKED result, as Celery does. */
    void settleRevoked(Delivery d, TaskMessage task, boolean holdsPermit) {
        LOG.info("Discarding revoked task {}[{}]", task.task(), task.id());
        storeResult(task, TaskState.REVOKED, ExceptionInfo.celery("TaskRevokedError", "revoked").toResult(), null);
        settle(d, true, holdsPermit);
    }

    /** Called on the pool thread that is about to run a task, so that a terminating revoke can interrupt it. */
    void started(TaskMessage task) {
        revocations.started(task.id(), Revocations.stamps(task.otherHeaders()));
    }

    /** Whether a revoke with {@code terminate} interrupted the current thread's run of this task. */
    boolean terminating(TaskMessage task) {
        return revocations.terminating(task.id());
    }

    /** Called on the pool thread that ran a task, once it is over; idempotent. */
    void finished(TaskMessage task) {
        revocations.finished(task.id());
    }

    /**
     * For a message the broker gave out before without it being settled, most likely to a worker that died or hung
     * with it: counts the delivery in a copy published in its place (the original acked after), or dead-letters it
     * and fails its task once delivered more than {@code maxDeliveries} times. A task that kills its worker every
     * time thus runs a bounded number of times. False when the copy cannot be published: it runs as it is.
     */
    private boolean recount(Delivery d) {
        Message m = d.message();
        int deliveries = Redeliveries.count(m) + 1;
        if (deliveries > dispatch.maxDeliveries()) {
            deadLetter(d, "delivered " + deliveries + " times without being settled (worker_max_deliveries is "
                    + dispatch.maxDeliveries() + "): its task may kill or hang its worker",
                    new ExceptionInfo("WorkerLostError", "billiard.exceptions", null), true);
            return true;
        }
        try {
            transport.publish(d.queue(), Redeliveries.counted(m, deliveries, options.hostname()));
        } catch (RuntimeException e) {
            LOG.warn("Cannot count the redelivery of {}; running it as it is: {}", m.taskId(), e.getMessage());
            return false;
        }
        LOG.warn("Message {} was delivered before without being settled; delivery {} of at most {} requeued",
                m.taskId(), deliveries, dispatch.maxDeliveries());
        settle(d, true, true);
        return true;
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
     * Stays held and tries again later when the copy cannot be published.
     */
    private void handBack(Delivery d, TaskMessage task) {
        handBack(d, task, false);
    }

    private void handBack(Delivery d, TaskMessage task, boolean holdsPermit) {
        if (!running) {
            giveBack(d, holdsPermit);
            return;
        }
        Message m = d.message();
        try {
            transport.publish(d.queue(), Redeliveries.fresh(m, m.headers()));
        } catch (RuntimeException e) {
            LOG.warn("Cannot hand back task {} waiting for its ETA {}; holding it: {}", task.id(), task.eta(),
                    e.getMessage());
            redispatch(d, holdsPermit);
            return;
        }
        LOG.debug("Task {} waits for its ETA {} or rate limit beyond the broker's hold limit: handed back to {}",
                task.id(), task.eta(), d.queue());
        settle(d, true, holdsPermit);
    }

    static boolean isExpired(TaskMessage task) {
        return task.expires() != null && Instant.now().isAfter(task.expires());
    }

    /** Settles an expired task unrun with a REVOKED result, as Celery does, on arrival or when its ETA comes. */
    void revokeExpired(Delivery d, TaskMessage task, boolean holdsPermit) {
        LOG.info("Task {}[{}] expired at {}; revoked", task.task(), task.id(), task.expires());
        storeResult(task, TaskState.REVOKED, ExceptionInfo.celery("TaskRevokedError", "expired").toResult(), null);
        settle(d, true, holdsPermit);
    }

    /** Dispatches a held delivery again, from the timer or a pool thread; gives it back once stopping. */
    void redispatch(Delivery d, boolean holdsPermit) {
        TaskRunner.Job job = prepareOrGiveBack(d, holdsPermit);
        if (job != null) {
            try {
                pool.execute(job);
            } catch (RejectedExecutionException e) {
                giveBack(d, holdsPermit); // the pool shut down in between: a warm stop
            }
        }
    }

    /** {@link #prepare}, or the delivery back to the broker when stopping or when it cannot be prepared. */
    private TaskRunner.Job prepareOrGiveBack(Delivery d, boolean holdsPermit) {
        if (!running) {
            giveBack(d, holdsPermit);
            return null;
        }
        try {
            return prepare(d, holdsPermit);
        } catch (RuntimeException e) {
            // Never let one message stop the worker; give it back rather than lose it.
            LOG.error("Cannot dispatch message from {}; returning it", d.queue(), e);
            giveBack(d, holdsPermit);
            return null;
        }
    }

    TaskRegistry registry() {
        return registry;
    }

    /**
     * Puts an unrunnable message on the dead-letter queue with its reason, and fails its task if it has an id: with
     * {@code failure}'s message, or the reason when it has none.
     */
    void deadLetter(Delivery d, String reason, ExceptionInfo failure, boolean holdsPermit) {
        Message m = d.message();
        String id = m.taskId();
        LOG.error("Dead-lettering message {} from queue {}: {}", id == null ? "(no id)" : id, d.queue(), reason);
        Map<String, Object> headers = new LinkedHashMap<>(m.headers());
        headers.put("x-celeriac-dead-letter-reason", reason);
        headers.put("x-celeriac-original-queue", d.queue());
        headers.put("x-celeriac-dead-lettered-at", ProtocolV2.formatTime(Instant.now()));
        headers.put("x-celeriac-dead-lettered-by", options.hostname());
        try {
            transport.publish(options.deadLetterQueue(),
                    new Message(m.body(), m.contentType(), m.contentEncoding(), headers, m.properties()));
        } catch (RuntimeException e) {
            LOG.error("Cannot dead-letter message {}; returning it to {}", id, d.queue(), e);
            giveBack(d, holdsPermit);
            return;
        }
        if (id != null && failure != null) {
            ExceptionInfo withReason = failure.message() != null ? failure
                    : new ExceptionInfo(failure.type(), failure.module(), reason);
            store(new TaskResult(id, TaskState.FAILURE, withReason.toResult(), reason + "\n", List.of(), Instant.now(),
                    addressOf(m.properties().get("reply_to") instanceof String r ? r : null, id)));
        }
        settle(d, true, holdsPermit);
    }

    void storeResult(TaskMessage task, TaskState state, Object result, String traceback) {
        if (cold) {
            return; // interrupted by a cold shutdown: it runs again elsewhere
        }
        if (state != TaskState.REVOKED && revocations.finished(task.id())) {
            // Its run was terminated by a revoke: whatever it returned or raised, it ends as Celery's does.
            LOG.info("Task {}[{}] terminated by a revoke", task.task(), task.id());
            state = TaskState.REVOKED;
            result = ExceptionInfo.celery("TaskRevokedError", "terminated").toResult();
            traceback = null;
        }
        store(new TaskResult(task.id(), state, result, traceback, List.of(), Instant.now(),
                addressOf(task.replyTo(), task.id())));
    }

    /**
     * For a backend that replies to the sender (rpc), where the sender asked for the result: its reply queue, and the
     * task id as correlation id (Celery's clients send the task id as {@code correlation_id}).
     */
    private Map<String, Object> addressOf(String replyTo, String taskId) {
        if (replyTo == null || !backend.repliesToSender()) {
            return Map.of();
        }
        return Map.of("reply_to", replyTo, "correlation_id", taskId);
    }

    /** {@link #storeResult}, returning once the result is written: for a state that must precede what follows. */
    void storeResultNow(TaskMessage task, TaskState state, Object result, String traceback) {
        if (cold) {
            return; // as storeResult
        }
        settler.storeNow(new TaskResult(task.id(), state, result, traceback, List.of(), Instant.now(),
                addressOf(task.replyTo(), task.id())));
    }

    TimeLimiter timeLimiter() {
        return timeLimiter;
    }

    private void store(TaskResult result) {
        settler.store(result);
    }

    /** Converts a task's return value to plain JSON values, failing here rather than in the backend. */
    Object toJson(Object value) {
        // Plain values skip the round trip through the serializer, giving what it would give.
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer) {
            return value;
        }
        if (value instanceof Long l) {
            // not a conditional expression: that would promote the Integer back to a Long
            if (l == l.intValue()) {
                return Integer.valueOf(l.intValue());
            }
            return l;
        }
        return resultSerializer.decode(resultSerializer.encode(value));
    }

    Transport transport() {
        return transport;
    }

    /**
     * Acks or requeues a delivery and frees its place. Safe to call once per delivery.
     *
     * @param releasesPermit whether the delivery still holds a prefetch slot
     */
    void settle(Delivery d, boolean ack, boolean releasesPermit) {
        if (cold) {
            return; // left unsettled: the broker gives it out again once the transport closes
        }
        if (held.remove(new Ref(d)) != null) {
            settler.settle(d, ack, releasesPermit);
        }
    }

    /** Called by the settler once a delivery is acked or requeued. */
    private void settled(boolean releasesPermit) {
        processed.incrementAndGet();
        if (releasesPermit) {
            prefetch.release();
        }
    }

    boolean isRunning() {
        return running;
    }

    /**
     * Returns a delivery to the broker unrun, freeing its prefetch slot if it holds one: as a fresh copy, published
     * before the original is acked (a crash in between duplicates it, never loses it), because a message the broker
     * requeues comes back marked redelivered, and the next worker would count this return as a delivery lost with
     * a dying worker, dead-lettering after {@code worker_max_deliveries} warm shutdowns a task that never ran. A
     * redelivery not counted yet is counted in the copy. Requeued as it is when the copy cannot be published.
     */
    void giveBack(Delivery d, boolean releasesPermit) {
        if (held.remove(new Ref(d)) != null) {
            Message m = d.message();
            try {
                Message copy = d.redelivered() && dispatch.maxDeliveries() > 0
                        ? Redeliveries.counted(m, Redeliveries.count(m) + 1, options.hostname())
                        : Redeliveries.fresh(m, m.headers());
                try {
                    transport.publish(d.queue(), copy);
                } catch (RuntimeException e) {
                    transport.reject(d, true);
                    return;
                }
                try {
                    transport.ack(d);
                } catch (RuntimeException e) {
                    LOG.warn("Cannot ack message {} given back as a copy; it may run twice: {}", m.taskId(),
                            e.getMessage());
                }
            } catch (RuntimeException e) {
                LOG.warn("Cannot return message {}: {}", m.taskId(), e.getMessage());
            } finally {
                if (releasesPermit) {
                    prefetch.release();
                }
            }
        }
    }

    private void renewLeases() {
        if (held.isEmpty()) {
            return;
        }
        try {
            transport.renew(List.copyOf(held.values()));
        } catch (RuntimeException e) {
            LOG.warn("Cannot renew the leases of {} held messages: {}", held.size(), e.getMessage());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** A delivery compared by identity. */
    private record Ref(Delivery delivery) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Ref r && r.delivery == delivery;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(delivery);
        }
    }
}
