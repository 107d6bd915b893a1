package org.celeriac.worker;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.celeriac.protocol.ExceptionInfo;
import org.celeriac.protocol.ProtocolV2;
import org.celeriac.protocol.TaskMessage;
import org.celeriac.registry.ArgumentMismatchException;
import org.celeriac.registry.TaskDefinition;
import org.celeriac.registry.TaskRegistry;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Transport;
import org.celeriac.task.Retry;
import org.celeriac.task.SoftTimeLimitExceeded;
import org.celeriac.task.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one task message on a pool thread: binds arguments, calls the task, stores the outcome, acks. */
final class TaskRunner {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRunner.class);

    private final WorkerOptions options;
    private final TaskRegistry registry;
    private final Transport transport;
    private final Outcomes outcomes;
    private final Revocations revocations;
    private final TimeLimiter timeLimiter;
    private final TaskRequests requests;
    private final RunState state;
    private final Dispatcher.Redispatch redispatch;
    private final Continuations continuations;

    /** @param redispatch where a job whose task is gone when it comes to run goes, to wait for a redeploy */
    TaskRunner(WorkerOptions options, TaskRegistry registry, Transport transport, Outcomes outcomes,
               Revocations revocations, TimeLimiter timeLimiter, TaskRequests requests, RunState state,
               Dispatcher.Redispatch redispatch, Continuations continuations) {
        this.continuations = continuations;
        this.options = options;
        this.registry = registry;
        this.transport = transport;
        this.outcomes = outcomes;
        this.revocations = revocations;
        this.timeLimiter = timeLimiter;
        this.requests = requests;
        this.state = state;
        this.redispatch = redispatch;
    }

    Job job(Delivery delivery, TaskMessage task, ProtocolV2 codec, boolean holdsPermit) {
        return new Job(delivery, task, codec, holdsPermit);
    }

    /** One task to run, and where it is, from received until over, for {@link TaskRequests}. */
    final class Job implements TaskPool.Pending {
        private final Delivery delivery;
        private final TaskMessage task;
        private final ProtocolV2 codec;
        private volatile boolean holdsPermit;
        private volatile TaskRequests.Stage stage;
        /** When it started, in epoch milliseconds (not an Instant: nothing is allocated for it); 0 until then. */
        private volatile long startedAtMillis;
        private volatile boolean acknowledged;

        Job(Delivery delivery, TaskMessage task, ProtocolV2 codec, boolean holdsPermit) {
            this.delivery = delivery;
            this.task = task;
            this.codec = codec;
            this.holdsPermit = holdsPermit;
            // Admission moves it on if that is wrong by the time it looks; this is for a snapshot taken before.
            this.stage = task.eta() != null && task.eta().toEpochMilli() > System.currentTimeMillis()
                    ? TaskRequests.Stage.SCHEDULED : TaskRequests.Stage.RESERVED;
        }

        @Override
        public Delivery delivery() {
            return delivery;
        }

        TaskMessage task() {
            return task;
        }

        void releasesPermit(boolean holds) {
            this.holdsPermit = holds;
        }

        TaskRequests.Stage stage() {
            return stage;
        }

        /** Waits for its ETA now. */
        void scheduled() {
            stage = TaskRequests.Stage.SCHEDULED;
        }

        /** Waits for a pool thread or a rate-limit token now. */
        void reserved() {
            if (stage != TaskRequests.Stage.RESERVED) {
                stage = TaskRequests.Stage.RESERVED;
            }
        }

        /** What it is now, for a snapshot or an event. */
        TaskRequest request() {
            long at = startedAtMillis;
            return new TaskRequest(task, delivery.queue(), delivery.redelivered(), acknowledged,
                    at == 0 ? null : Instant.ofEpochMilli(at), task.eta());
        }

        @Override
        public void run() {
            try {
                runHeld();
            } finally {
                requests.ended(this);
            }
        }

        private void runHeld() {
            if (!state.running()) {
                // Taken ahead but not started before a warm shutdown: it belongs to the next worker.
                outcomes.giveBack(delivery, holdsPermit);
                return;
            }
            // Looked up now, not when the message arrived: after a hot redeploy, waiting messages run the new code.
            TaskDefinition definition = registry.find(task.task()).orElse(null);
            if (definition == null) {
                redispatch.redispatch(delivery, holdsPermit);
                return;
            }
            // Checked again here: a task can expire while it waits for its ETA or for a pool thread.
            if (Dispatcher.isExpired(task)) {
                outcomes.revokeExpired(delivery, task, holdsPermit);
                return;
            }
            if (revocations.isRevoked(task)) { // revoked while it waited
                outcomes.settleRevoked(delivery, task, holdsPermit);
                return;
            }
            Task opts = definition.options();
            boolean acksLate = opts.acksLate() == Task.Toggle.DEFAULT ? options.acksLate()
                    : opts.acksLate() == Task.Toggle.ON;
            TaskDefaults defaults = options.taskDefaults();
            boolean storeResult = !(task.ignoreResult() || opts.ignoreResult());
            // Failures and retries: Celery's store_errors, which store_errors_even_if_ignored widens
            boolean storeErrors = storeResult
                    || TaskDefaults.resolve(opts.storeErrorsEvenIfIgnored(), defaults.storeErrorsEvenIfIgnored());
            if (!acksLate) {
                outcomes.settle(delivery, true, holdsPermit);
            }
            startedAtMillis = System.currentTimeMillis();
            acknowledged = !acksLate;
            stage = TaskRequests.Stage.ACTIVE;
            requests.started(this);
            if (storeResult && (opts.trackStarted() == Task.Toggle.DEFAULT ? defaults.trackStarted()
                    : opts.trackStarted() == Task.Toggle.ON)) {
                // Celery's meta for STARTED: the process and the worker's node name
                outcomes.storeResult(task, TaskState.STARTED,
                        Map.of("pid", ProcessHandle.current().pid(), "hostname", options.hostname()), null);
            }
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            long started = System.nanoTime();
            boolean requeue = false;
            TimeLimiter.Watch watch = null;
            try {
                revocations.started(task);
                thread.setContextClassLoader(definition.classLoader());
                watch = timeLimiter.watch(timeLimiter.limits(task, opts, defaults),
                        task.task() + "[" + task.id() + "]", (limit, stack) -> abandoned(limit, stack, storeErrors));
                Object value = null;
                Throwable thrown = null;
                try {
                    value = definition.invoke(definition.bind(task.args(), task.kwargs(),
                            new WorkerTaskContext(task, watch)));
                } catch (Throwable t) {
                    thrown = t;
                }
                if (!watch.finish()) {
                    return; // abandoned at its hard limit, which stored the outcome and settled the message
                }
                if (thrown != null && state.cold()) {
                    // The cold stop is flagged before it interrupts, so what the interrupt made the task throw ends
                    // here: no retry sent, nothing stored or acked; a late-ack message goes back as it came.
                    LOG.warn("Task {}[{}] interrupted by a cold shutdown: {}", task.task(), task.id(),
                            thrown.toString());
                    return;
                }
                // A retry too: the run was cut short by the worker, not given up by the task (Celery's worker lost).
                if (thrown != null && state.cuttingShort()) {
                    requeue = lost(thrown, acksLate && TaskDefaults.resolve(opts.rejectOnWorkerLost(),
                            defaults.rejectOnWorkerLost()), storeErrors);
                    return;
                }
                if (thrown != null && revocations.terminating(task.id())) {
                    // The interrupt of a terminating revoke: whatever the task made of it, a retry included, the
                    // run ends REVOKED (storeResult says so), as Celery's terminate kills the process under it.
                    if (storeErrors) {
                        outcomes.storeResult(task, TaskState.FAILURE, ExceptionInfo.of(thrown).toResult(), null);
                    }
                    requests.terminated(this);
                    return;
                }
                if (thrown != null) {
                    if (watch.softExceeded() && TimeLimiter.fromInterrupt(thrown)) {
                        thrown = new SoftTimeLimitExceeded();
                    }
                    throw thrown;
                }
                Object json = outcomes.toJson(value);
                long ran = System.nanoTime() - started;
                // Asked only for the event: storeResult finds a terminated run by itself.
                boolean terminated = requests.observing() && revocations.terminating(task.id());
                boolean follows = Continuations.follows(task);
                if (follows) {
                    continuations.succeeded(task, json);
                }
                if (storeResult && follows) {
                    outcomes.storeResultNow(task, TaskState.SUCCESS, json, null); // what follows may look for it
                } else if (storeResult) {
                    outcomes.storeResult(task, TaskState.SUCCESS, json, null);
                }
                if (follows) {
                    continuations.reportToChord(task, TaskState.SUCCESS, json);
                }
                LOG.info("Task {}[{}] succeeded in {} ms", task.task(), task.id(), ran / 1_000_000);
                if (terminated) {
                    requests.terminated(this);
                } else {
                    requests.succeeded(this, json, ran / 1e9);
                }
            } catch (ArgumentMismatchException e) {
                fail(ExceptionInfo.typeError(e.getMessage()).toResult(), e.getMessage(), e.getMessage() + "\n",
                        storeErrors);
            } catch (Retry r) {
                requeue = !retry(r.countdown(), r.getCause(), r, definition, storeErrors) && acksLate;
            } catch (Throwable t) {
                if (Retries.autoretries(opts, t)) {
                    requeue = !retry(Retries.autoretryCountdown(opts, task.retries()), t, t, definition, storeErrors)
                            && acksLate;
                } else if (t instanceof SoftTimeLimitExceeded) {
                    fail(TimeLimiter.softLimitResult(), "SoftTimeLimitExceeded()", ExceptionInfo.traceback(t),
                            storeErrors);
                } else {
                    if (t instanceof InterruptedException) {
                        thread.interrupt();
                    }
                    ExceptionInfo error = ExceptionInfo.of(t);
                    fail(error.toResult(), error, ExceptionInfo.traceback(t), storeErrors);
                }
            } finally {
                revocations.finished(task.id());
                thread.setContextClassLoader(previous);
                if (acksLate) {
                    outcomes.settle(delivery, !requeue, holdsPermit);
                }
            }
        }

        /**
         * The attempt ran past its hard time limit: fails the task as Celery does, with billiard's
         * {@code TimeLimitExceeded} and the stuck thread's stack as traceback, and acks the message, late or not
         * (Celery's {@code task_acks_on_failure_or_timeout} default).
         */
        private void abandoned(Duration limit, StackTraceElement[] stack, boolean storeErrors) {
            // No longer running, for inspect and heartbeats, though its thread may never return.
            requests.ended(this);
            String trace = null;
            if (storeErrors || requests.observing()) {
                StringBuilder b = new StringBuilder("TimeLimitExceeded: the task's thread was at\n");
                for (StackTraceElement e : stack) {
                    b.append("\tat ").append(e).append('\n');
                }
                trace = b.toString();
            }
            if (storeErrors) {
                storeFailure(TimeLimiter.hardLimitResult(limit), trace);
            }
            workflowFailed(TimeLimiter.hardLimitResult(limit), trace);
            outcomes.settle(delivery, true, holdsPermit);
            if (requests.observing()) {
                requests.failed(this, TimeLimiter.hardLimitResult(limit), trace);
            }
        }

        /**
         * The worker cut this run short (it interrupted the task's thread at shutdown): Celery's worker lost, whatever
         * the task then threw, a {@link Retry} included, as Celery's pool process is gone before it could retry. A
         * late-ack task that rejects on worker lost goes back to its queue, unstored; any other fails with billiard's
         * {@code WorkerLostError} and is acked, as Celery's parent process does for a pool process that died.
         *
         * @return whether to requeue
         */
        private boolean lost(Throwable thrown, boolean reject, boolean storeErrors) {
            if (reject) {
                LOG.warn("Task {}[{}] interrupted at shutdown; requeued (reject_on_worker_lost)", task.task(),
                        task.id());
                requests.rejected(this, true);
                return true;
            }
            ExceptionInfo error = new ExceptionInfo("WorkerLostError", "billiard.exceptions",
                    "Worker exited prematurely: task interrupted at shutdown.");
            fail(error.toResult(), error, ExceptionInfo.traceback(thrown), storeErrors);
            return false;
        }

        private void fail(Map<String, Object> error, Object described, String traceback, boolean storeErrors) {
            LOG.error("Task {}[{}] raised {}", task.task(), task.id(), described);
            if (storeErrors) {
                storeFailure(error, traceback);
            }
            workflowFailed(error, traceback);
            requests.failed(this, error, traceback);
        }

        /** Stores the failure; at once when something follows the task, for its errbacks may look for it. */
        private void storeFailure(Map<String, Object> error, String traceback) {
            if (Continuations.follows(task)) {
                outcomes.storeResultNow(task, TaskState.FAILURE, error, traceback);
            } else {
                outcomes.storeResult(task, TaskState.FAILURE, error, traceback);
            }
        }

        /** Fails what waits for this task; a broker or backend failure here leaves the task's own outcome as is. */
        private void workflowFailed(Object error, String traceback) {
            if (!Continuations.follows(task)) {
                return;
            }
            try {
                continuations.failed(task, TaskState.FAILURE, error, traceback);
            } catch (RuntimeException e) {
                LOG.error("Task {}[{}]: cannot fail its chain, chord or errbacks", task.task(), task.id(), e);
            }
        }

        /**
         * Stores RETRY, then sends the next attempt: in that order, so that a next attempt that runs at once cannot
         * have its outcome overwritten by this RETRY. False when the broker would not take the next attempt.
         *
         * @param countdown when to run again; null for the task's default delay
         * @param cause     why, or null; the task fails with it when its retries are used up
         * @param thrown    what the task threw, for the traceback
         */
        private boolean retry(Duration countdown, Throwable cause, Throwable thrown, TaskDefinition definition,
                              boolean storeErrors) {
            Task opts = definition.options();
            if (opts.maxRetries() >= 0 && task.retries() >= opts.maxRetries()) {
                ExceptionInfo error = cause != null ? ExceptionInfo.of(cause)
                        : ExceptionInfo.celery("MaxRetriesExceededError", "Can't retry " + task.task() + "["
                        + task.id() + "] args:" + task.args() + " kwargs:" + task.kwargs());
                fail(error.toResult(), error, ExceptionInfo.traceback(cause != null ? cause : thrown), storeErrors);
                return true;
            }
            if (state.cold()) {
                return true; // a cold stop came meanwhile: the message goes back as it is, with no retry besides
            }
            Duration delay = countdown != null ? countdown
                    : Duration.ofMillis(Math.round(opts.defaultRetryDelay() * 1000));
            TaskMessage next = task.retry(Instant.now().plus(delay));
            ExceptionInfo why = cause != null ? ExceptionInfo.of(cause)
                    : ExceptionInfo.celery("Retry", thrown.getMessage());
            String traceback = storeErrors || requests.observing() ? ExceptionInfo.traceback(thrown) : null;
            if (storeErrors) {
                outcomes.storeResultNow(task, TaskState.RETRY, why.toResult(), traceback);
            }
            // The next attempt is on the broker before this one is acked: a crash in between runs it twice
            // rather than never.
            try {
                transport.publish(delivery.queue(), codec.encode(next, delivery.queue()));
            } catch (RuntimeException e) {
                LOG.error("Task {}[{}] cannot be sent for retry: {}", task.task(), task.id(), e.getMessage());
                ExceptionInfo error = ExceptionInfo.of(e);
                fail(error.toResult(), error, ExceptionInfo.traceback(e), storeErrors);
                return false;
            }
            LOG.info("Task {}[{}] retry {} in {}: {}", task.task(), task.id(), next.retries(), delay, why);
            requests.retried(this, why, traceback);
            return true;
        }
    }
}
