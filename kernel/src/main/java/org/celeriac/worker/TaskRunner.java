package org.celeriac.worker;

import java.time.Duration;
import java.time.Instant;

import org.celeriac.protocol.ExceptionInfo;
import org.celeriac.protocol.ProtocolV2;
import org.celeriac.protocol.TaskMessage;
import org.celeriac.registry.ArgumentMismatchException;
import org.celeriac.registry.TaskDefinition;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.spi.transport.Delivery;
import org.celeriac.task.Retry;
import org.celeriac.task.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one task message on a pool thread: binds arguments, calls the task, stores the outcome, acks. */
final class TaskRunner {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRunner.class);

    private final Worker worker;

    TaskRunner(Worker worker) {
        this.worker = worker;
    }

    Job job(Delivery delivery, TaskMessage task, ProtocolV2 codec, boolean holdsPermit) {
        return new Job(delivery, task, codec, holdsPermit);
    }

    final class Job implements Worker.Pending {
        private final Delivery delivery;
        private final TaskMessage task;
        private final ProtocolV2 codec;
        private volatile boolean holdsPermit;

        Job(Delivery delivery, TaskMessage task, ProtocolV2 codec, boolean holdsPermit) {
            this.delivery = delivery;
            this.task = task;
            this.codec = codec;
            this.holdsPermit = holdsPermit;
        }

        @Override
        public Delivery delivery() {
            return delivery;
        }

        void releasesPermit(boolean holds) {
            this.holdsPermit = holds;
        }

        @Override
        public void run() {
            if (!worker.isRunning()) {
                // Taken ahead but not started before a warm shutdown: it belongs to the next worker.
                worker.giveBack(delivery, holdsPermit);
                return;
            }
            // Looked up now, not when the message arrived: after a hot redeploy, waiting messages run the new code.
            TaskDefinition definition = worker.registry().find(task.task()).orElse(null);
            if (definition == null) {
                worker.redispatch(delivery, holdsPermit);
                return;
            }
            // Checked again here: a task can expire while it waits for its ETA or for a pool thread.
            if (Worker.isExpired(task)) {
                worker.revokeExpired(delivery, task, holdsPermit);
                return;
            }
            if (worker.isRevoked(task)) { // revoked while it waited
                worker.settleRevoked(delivery, task, holdsPermit);
                return;
            }
            Task opts = definition.options();
            boolean acksLate = opts.acksLate() == Task.Toggle.DEFAULT ? worker.options().acksLate()
                    : opts.acksLate() == Task.Toggle.ON;
            boolean storeResult = !(task.ignoreResult() || opts.ignoreResult());
            if (!acksLate) {
                worker.settle(delivery, true, holdsPermit);
            }
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            long started = System.nanoTime();
            boolean requeue = false;
            try {
                worker.started(task);
                thread.setContextClassLoader(definition.classLoader());
                Object value = definition.invoke(definition.bind(task.args(), task.kwargs(), new WorkerTaskContext(task)));
                Object json = worker.toJson(value);
                if (storeResult) {
                    worker.storeResult(task, TaskState.SUCCESS, json, null);
                }
                LOG.info("Task {}[{}] succeeded in {} ms", task.task(), task.id(), (System.nanoTime() - started) / 1_000_000);
            } catch (ArgumentMismatchException e) {
                fail(ExceptionInfo.typeError(e.getMessage()), e.getMessage() + "\n", storeResult);
            } catch (Retry r) {
                requeue = !retry(r, definition, storeResult) && acksLate;
            } catch (Throwable t) {
                if (t instanceof InterruptedException) {
                    thread.interrupt();
                }
                fail(ExceptionInfo.of(t), ExceptionInfo.traceback(t), storeResult);
            } finally {
                worker.finished(task);
                thread.setContextClassLoader(previous);
                if (acksLate) {
                    worker.settle(delivery, !requeue, holdsPermit);
                }
            }
        }

        private void fail(ExceptionInfo error, String traceback, boolean storeResult) {
            LOG.error("Task {}[{}] raised {}", task.task(), task.id(), error);
            if (storeResult) {
                worker.storeResult(task, TaskState.FAILURE, error.toResult(), traceback);
            }
        }

        /** Sends the next attempt; false when the broker would not take it. */
        private boolean retry(Retry r, TaskDefinition definition, boolean storeResult) {
            Task opts = definition.options();
            if (opts.maxRetries() >= 0 && task.retries() >= opts.maxRetries()) {
                Throwable cause = r.getCause();
                ExceptionInfo error = cause != null ? ExceptionInfo.of(cause)
                        : ExceptionInfo.celery("MaxRetriesExceededError", "Can't retry " + task.task() + "["
                        + task.id() + "] args:" + task.args() + " kwargs:" + task.kwargs());
                fail(error, ExceptionInfo.traceback(cause != null ? cause : r), storeResult);
                return true;
            }
            Duration countdown = r.countdown() != null ? r.countdown()
                    : Duration.ofMillis(Math.round(opts.defaultRetryDelay() * 1000));
            TaskMessage next = task.retry(Instant.now().plus(countdown));
            // The next attempt is on the broker before this one is acked: a crash in between runs it twice
            // rather than never.
            try {
                worker.transport().publish(delivery.queue(), codec.encode(next, delivery.queue()));
            } catch (RuntimeException e) {
                LOG.error("Task {}[{}] cannot be sent for retry: {}", task.task(), task.id(), e.getMessage());
                fail(ExceptionInfo.of(e), ExceptionInfo.traceback(e), storeResult);
                return false;
            }
            ExceptionInfo why = r.getCause() != null ? ExceptionInfo.of(r.getCause())
                    : ExceptionInfo.celery("Retry", r.getMessage());
            LOG.info("Task {}[{}] retry {} in {}: {}", task.task(), task.id(), next.retries(), countdown, why);
            if (storeResult) {
                worker.storeResult(task, TaskState.RETRY, why.toResult(), ExceptionInfo.traceback(r));
            }
            return true;
        }
    }
}
