package org.celeriac.worker;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.DoubleSupplier;
import java.util.function.Function;

import org.celeriac.canvas.CanvasSender;
import org.celeriac.discovery.PluginCatalog;
import org.celeriac.protocol.ProtocolV2;
import org.celeriac.registry.TaskRegistry;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes queues and runs tasks. One consumer thread takes messages up to the prefetch limit
 * (pool size x multiplier); a pool runs them (fixed, solo, virtual threads, or autoscaled, per
 * {@link DispatchOptions}); messages with a future ETA wait on a timer, not on a
 * pool thread, and do not count against the prefetch limit. Nothing it cannot run is dropped: bad messages go
 * to the dead-letter queue with the reason, and, when they carry a task id, a FAILURE result says why.
 *
 * <p>The parts, in the order a message meets them: {@link Fetcher} takes it, {@link Dispatcher} decodes and checks
 * it, {@link Admission} holds it until its ETA and rate limit let it start, {@link TaskPool} runs its
 * {@link TaskRunner} job, {@link Outcomes} stores the result and settles the message; {@link Shutdown} stops them.
 */
public final class Worker implements AutoCloseable {
    /** Celery's {@code task_default_queue}, for workflow steps of a worker built without the client's routing. */
    private static final String DEFAULT_QUEUE = "celery";
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    private final TaskRegistry registry;
    private final WorkerOptions options;
    private final DispatchOptions dispatch;
    private final Revocations revocations;
    private final RunState state = new RunState();
    private final TaskRequests requests = new TaskRequests();
    private final ScheduledExecutorService timer;
    private final TaskPool pool;
    private final Outcomes outcomes;
    private final Admission admission;
    private final Dispatcher dispatcher;
    private final Fetcher fetcher;
    private final Shutdown shutdown;
    private boolean started; // guarded by this
    private boolean stopping; // guarded by this
    private volatile Instant startedAt;
    /** What lives as long as the worker consumes (its mailbox, its heartbeats): run after start, before stop. */
    private final List<Runnable> onStart = new CopyOnWriteArrayList<>();
    private final List<Runnable> onStop = new CopyOnWriteArrayList<>();

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
        this(transport, backend, registry, serializers, options, dispatch, task -> DEFAULT_QUEUE);
    }

    /**
     * @param serializers the catalog that names the serializers behind {@code acceptContent}
     * @param dispatch    rate limits, the redelivery cap, where revokes are kept
     * @param queueFor    where the tasks a workflow sends next go when they name no queue: the client's routing
     */
    public Worker(Transport transport, ResultBackend backend, TaskRegistry registry, PluginCatalog serializers,
                  WorkerOptions options, DispatchOptions dispatch, Function<String, String> queueFor) {
        this(transport, backend, registry, serializers, options, dispatch, MemoryGuard::heapAfterGc, queueFor);
    }

    /** @param heapShare how full the heap is, 0 to 1, for the memory guard */
    Worker(Transport transport, ResultBackend backend, TaskRegistry registry, PluginCatalog serializers,
           WorkerOptions options, DispatchOptions dispatch, DoubleSupplier heapShare) {
        this(transport, backend, registry, serializers, options, dispatch, heapShare, task -> DEFAULT_QUEUE);
    }

    private Worker(Transport transport, ResultBackend backend, TaskRegistry registry, PluginCatalog serializers,
                   WorkerOptions options, DispatchOptions dispatch, DoubleSupplier heapShare,
                   Function<String, String> queueFor) {
        this.registry = registry;
        this.options = options;
        this.dispatch = dispatch;
        this.revocations = dispatch.stateDb() == null ? Revocations.inMemory() : Revocations.open(dispatch.stateDb());
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, TaskPool.threads("celeriac-timer"));
        // at shutdown, ETA waits and lease renewals not yet due are dropped; the one running is let finish
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        this.timer = timer;
        this.pool = new TaskPool(options, dispatch, timer, state);
        // workflow steps go out as the app's client sends tasks: signed when it signs
        CanvasSender canvas = new CanvasSender(transport, backend,
                new ProtocolV2(serializers.serializer(options.taskSerializer())), queueFor, options.resultExpires());
        Continuations continuations = new Continuations(canvas, backend, options.resultExpires());
        registry.registerInstance(new BuiltinTasks(registry, canvas, backend, continuations, options.resultExpires()));
        this.outcomes = new Outcomes(transport, backend, options, dispatch, pool.prefetch(), revocations, requests,
                state, serializers.serializer("json"), continuations);
        // Built before the dispatcher, to which they hand deliveries back: through redispatch below.
        this.admission = new Admission(transport, registry, pool, outcomes, requests, timer, state,
                dispatch.defaultRateLimit(), this::redispatch);
        TaskRunner runner = new TaskRunner(options, registry, transport, outcomes, revocations, pool.timeLimiter(),
                requests, state, this::redispatch, continuations);
        this.dispatcher = new Dispatcher(transport, registry, serializers, options, dispatch, pool, outcomes,
                revocations, admission, runner, requests, timer, state);
        this.fetcher = new Fetcher(transport, options, dispatch, pool, new MemoryGuard(dispatch.maxMemoryPercent(),
                heapShare), outcomes, dispatcher, timer, state);
        this.shutdown = new Shutdown(options, fetcher, admission, pool, outcomes, requests, timer, state);
    }

    private void redispatch(Delivery d, boolean holdsPermit) {
        dispatcher.redispatch(d, holdsPermit);
    }

    public WorkerOptions options() {
        return options;
    }

    /** How many messages this worker has settled. */
    public int processed() {
        return outcomes.processed();
    }

    /** When {@link #start()} ran; null before. */
    public Instant startedAt() {
        return startedAt;
    }

    /** How many tasks of each type this worker started, by task name: Celery's {@code total} in its stats. */
    public Map<String, Long> totals() {
        return requests.totals();
    }

    /** The tasks running now, on a pool thread (Celery's {@code inspect active}). */
    public List<TaskRequest> active() {
        return requests.in(TaskRequests.Stage.ACTIVE);
    }

    /**
     * The tasks received and decoded, not started, and not waiting for an ETA: queued for a pool thread, or waiting
     * for a rate-limit token (Celery's {@code inspect reserved}). Messages taken ahead are decoded on the pool
     * thread that takes them, so those still queued undecoded are not among them.
     */
    public List<TaskRequest> reserved() {
        return requests.in(TaskRequests.Stage.RESERVED);
    }

    /** The tasks waiting for their ETA (Celery's {@code inspect scheduled}). */
    public List<TaskRequest> scheduled() {
        return requests.in(TaskRequests.Stage.SCHEDULED);
    }

    /** How many tasks run now, not counting threads abandoned at their hard time limit: for heartbeats. */
    public int activeCount() {
        return requests.running();
    }

    /**
     * Tells {@code observer} what becomes of each task from now on, replacing the one before; {@link TaskObserver#NONE}
     * (or null) for none, as by default. Before or after {@link #start()}.
     */
    public void observe(TaskObserver observer) {
        requests.observe(observer);
    }

    /** Starts consuming. A worker runs once: after {@link #stop()} make a new one. */
    public synchronized void start() {
        if (state.running()) {
            return;
        }
        if (timer.isShutdown() || stopping) {
            throw new IllegalStateException("worker " + options.hostname() + " was stopped; make a new one");
        }
        state.start();
        started = true;
        startedAt = Instant.now();
        outcomes.renewLeasesOn(timer);
        fetcher.start();
        pool.start();
        LOG.info("Worker {} consuming {} with a {} pool of {}{}; tasks: {}", options.hostname(), fetcher.queues(),
                dispatch.pool().name().toLowerCase(Locale.ROOT), pool.size(),
                dispatch.autoscale() == null ? "" : " (autoscale " + dispatch.autoscale().max() + ","
                        + dispatch.autoscale().min() + ")", registry.names());
        run(onStart);
    }

    /**
     * Runs {@code started} once this worker has started consuming (at once if it has), and {@code stopping} when it
     * is asked to stop, warm or cold, before it stops taking messages: for what lives as long as the worker
     * consumes, such as its mailbox and heartbeats.
     */
    public synchronized void whileRunning(Runnable started, Runnable stopping) {
        onStart.add(started);
        onStop.add(stopping);
        if (state.running()) {
            run(List.of(started));
        }
    }

    private void run(List<Runnable> hooks) {
        for (Runnable r : hooks) {
            try {
                r.run();
            } catch (RuntimeException e) {
                LOG.warn("Worker {}: a start or stop hook failed", options.hostname(), e);
            }
        }
    }

    /** Runs the stop hooks once. */
    private void stopping() {
        List<Runnable> hooks;
        synchronized (onStop) {
            hooks = List.copyOf(onStop);
            onStop.clear();
        }
        run(hooks);
    }

    /**
     * Warm shutdown: stops taking messages, gives back those not started, waits up to the shutdown timeout for
     * running tasks, then interrupts those still running. A task so interrupted is requeued or fails with
     * {@code WorkerLostError} as its {@code reject_on_worker_lost} says. It does not wait for threads abandoned at
     * their hard time limit: their tasks were settled then, and such a thread, which may never return, is left
     * behind.
     */
    public void stop() {
        synchronized (this) {
            if (!started || stopping) {
                return;
            }
            stopping = true;
        }
        stopping();
        synchronized (this) {
            state.stop();
        }
        shutdown.warm();
    }

    /**
     * Cold shutdown, as Celery's second Ctrl-C: running tasks are interrupted and their messages left unsettled, so
     * that late-ack ones go back to the broker when the transport closes (early-ack ones were acked already);
     * messages not started are given back. Ends a warm {@link #stop()} under way on another thread; returns at once
     * (a stop still has to run, or to be running, to release the worker).
     */
    public void stopNow() {
        shutdown.cold();
        stopping();
    }

    @Override
    public void close() {
        stop();
    }

    /** How many threads the pool currently has, not counting those in place of stuck ones. */
    public int poolSize() {
        return pool.size();
    }

    /** The pool: {@code threads}, {@code solo} or {@code virtual}. */
    public String poolKind() {
        return dispatch.pool().name().toLowerCase(Locale.ROOT);
    }

    /** The bounds the pool autoscales within now, null for a pool of a fixed size. */
    public DispatchOptions.Autoscale autoscaling() {
        return pool.autoscaleBounds();
    }

    /** The prefetch limit now: the pool's size times the prefetch multiplier, or its size with prefetch disabled. */
    public int prefetchCount() {
        return pool.size() * pool.multiplier();
    }

    /**
     * As Celery's {@code pool_grow}: {@code n} threads more, and the prefetch limit with them.
     *
     * @throws IllegalStateException    while the pool autoscales (as Celery 5: change the bounds with
     *                                  {@link #autoscale} instead), or for the solo pool
     * @throws IllegalArgumentException for {@code n} below 1
     */
    public void growPool(int n) {
        pool.grow(n);
        LOG.info("Pool grown by {} to {} threads", n, pool.size());
    }

    /**
     * As Celery's {@code pool_shrink}: {@code n} threads fewer, never below one, and the prefetch limit with them; a
     * thread running a task leaves once the task is over.
     *
     * @throws IllegalStateException    while the pool autoscales, as {@link #growPool}
     * @throws IllegalArgumentException for {@code n} below 1
     */
    public void shrinkPool(int n) {
        pool.shrink(n);
        LOG.info("Pool shrunk by {} to {} threads", n, pool.size());
    }

    /**
     * As Celery's {@code autoscale} control command: the pool autoscales between {@code min} and {@code max} threads
     * from now on, brought within them at once; turns autoscaling on for a pool of a fixed size, too.
     *
     * @throws IllegalArgumentException unless {@code 1 <= min <= max}
     * @throws IllegalStateException    for the solo pool
     */
    public void autoscale(int max, int min) {
        pool.autoscale(max, min);
        LOG.info("Autoscale now max={} min={}; pool of {} threads", max, min, pool.size());
    }

    /** The queues consumed now. */
    public List<String> queues() {
        return fetcher.queues();
    }

    /**
     * As Celery's {@code add_consumer}: declares {@code queue} and consumes it as well.
     *
     * @return false if it is consumed already
     * @throws IllegalArgumentException for a blank name
     */
    public boolean addConsumer(String queue) {
        boolean added = fetcher.addConsumer(queue);
        if (added) {
            LOG.info("Worker {} consuming {} as well", options.hostname(), queue);
        }
        return added;
    }

    /**
     * As Celery's {@code cancel_consumer}: stops taking messages from {@code queue}; those taken from it already
     * still run.
     *
     * @return false if it was not consumed
     */
    public boolean cancelConsumer(String queue) {
        boolean cancelled = fetcher.cancelConsumer(queue);
        if (cancelled) {
            LOG.info("Worker {} no longer consuming {}", options.hostname(), queue);
        }
        return cancelled;
    }

    /**
     * As Celery's {@code time_limit} control command: the soft and hard time limits, in seconds, of the tasks of a
     * type started from now on, in place of the task's own; null for none of its own, so that the worker's default
     * ({@code task_time_limit}, {@code task_soft_time_limit}) applies. A message's own {@code timelimit} still wins,
     * as in Celery.
     *
     * @throws IllegalArgumentException for a task not registered here, or a limit below zero
     */
    public void setTimeLimit(String taskName, Double softSeconds, Double hardSeconds) {
        if (taskName == null || registry.find(taskName).isEmpty()) {
            throw new IllegalArgumentException("unknown task '" + taskName + "'");
        }
        pool.timeLimiter().override(taskName, softSeconds, hardSeconds);
        LOG.info("New time limits for tasks of type {}: soft={} hard={}", taskName, softSeconds, hardSeconds);
    }

    TimeLimiter timeLimiter() {
        return pool.timeLimiter();
    }

    /**
     * Changes a task type's rate limit at run time, as Celery's {@code rate_limit} control command: {@code "10/s"},
     * {@code "100/m"}, {@code "1000/h"} or a number per second; null or empty for none. It wins over the task's
     * own limit and {@code task_default_rate_limit}, and applies to the tasks already waiting.
     *
     * @throws IllegalArgumentException when the limit cannot be read
     */
    public void setRateLimit(String taskName, String limit) {
        admission.setRateLimit(taskName, limit);
        LOG.info("Rate limit of {} set to {}", taskName, limit == null || limit.isBlank() ? "none" : limit);
    }

    /** The rate limit a task type runs with here, empty for none. */
    public String rateLimit(String taskName) {
        return admission.rateLimit(taskName);
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

    /** The ids of the tasks revoked here and not expired, oldest first (Celery's {@code inspect revoked}). */
    public Set<String> revokedIds() {
        return revocations.ids();
    }
}
