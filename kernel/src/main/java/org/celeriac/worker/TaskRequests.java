package org.celeriac.worker;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import org.celeriac.protocol.ExceptionInfo;
import org.celeriac.protocol.TaskMessage;
import org.celeriac.spi.transport.Delivery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tasks a worker holds, from received until over, for Celery's {@code inspect active|reserved|scheduled}; how
 * many of each type it started, for {@code inspect stats}; and the {@link TaskObserver} told what becomes of each.
 *
 * <p>Cheap on the hot path: a task costs one put and one remove in a concurrent set, its moves between stages are
 * volatile writes on its job, and no event is built while the observer is not {@link TaskObserver#listening()}.
 * Snapshots walk the set, which is weakly consistent: a task moving meanwhile is listed where it was or where it
 * went.
 */
final class TaskRequests {
    private static final Logger LOG = LoggerFactory.getLogger(TaskRequests.class);

    /** Where a task held is. */
    enum Stage {
        /** Waiting for its ETA. */
        SCHEDULED,
        /** Waiting for a pool thread or a rate-limit token. */
        RESERVED,
        /** Running on a pool thread. */
        ACTIVE
    }

    private final Set<TaskRunner.Job> held = ConcurrentHashMap.newKeySet();
    private final Map<String, LongAdder> started = new ConcurrentHashMap<>();
    private volatile TaskObserver observer = TaskObserver.NONE;

    void observe(TaskObserver o) {
        observer = o == null ? TaskObserver.NONE : o;
    }

    /** Whether an observer is told of events: what only events need is computed only then. */
    boolean observing() {
        return observer.listening();
    }

    /**
     * Holds a job just made for a delivery decoded and accepted, until {@link #ended}.
     *
     * @param again whether a job was made for the delivery before (it is dispatched anew): not reported again
     */
    void received(TaskRunner.Job job, boolean again) {
        held.add(job);
        TaskObserver o = observer;
        if (o.listening() && !again) {
            try {
                o.received(job.request());
            } catch (RuntimeException e) {
                ignored("received", e);
            }
        }
    }

    /** A job starts on a pool thread: counted for its type (Celery's accepted), and reported. */
    void started(TaskRunner.Job job) {
        String name = job.task().task();
        LongAdder n = started.get(name);
        if (n == null) {
            n = started.computeIfAbsent(name, k -> new LongAdder());
        }
        n.increment();
        TaskObserver o = observer;
        if (o.listening()) {
            try {
                o.started(job.request());
            } catch (RuntimeException e) {
                ignored("started", e);
            }
        }
    }

    /** No longer held: over, settled unrun, given or handed back. Idempotent; anything else is ignored. */
    void ended(Object work) {
        held.remove(work);
    }

    void succeeded(TaskRunner.Job job, Object result, double runtimeSeconds) {
        TaskObserver o = observer;
        if (o.listening()) {
            try {
                o.succeeded(job.request(), result, runtimeSeconds);
            } catch (RuntimeException e) {
                ignored("succeeded", e);
            }
        }
    }

    /** @param error the failure as stored ({@link ExceptionInfo#toResult()}) */
    void failed(TaskRunner.Job job, Map<String, Object> error, String traceback) {
        TaskObserver o = observer;
        if (o.listening()) {
            try {
                o.failed(job.request(), ExceptionInfo.fromResult(error), traceback);
            } catch (RuntimeException e) {
                ignored("failed", e);
            }
        }
    }

    void retried(TaskRunner.Job job, ExceptionInfo error, String traceback) {
        TaskObserver o = observer;
        if (o.listening()) {
            try {
                o.retried(job.request(), error, traceback);
            } catch (RuntimeException e) {
                ignored("retried", e);
            }
        }
    }

    void rejected(TaskRunner.Job job, boolean requeue) {
        TaskObserver o = observer;
        if (o.listening()) {
            try {
                o.rejected(job.request(), requeue);
            } catch (RuntimeException e) {
                ignored("rejected", e);
            }
        }
    }

    /** A decoded message dead-lettered (not requeued). */
    void deadLettered(Delivery d, TaskMessage task) {
        TaskObserver o = observer;
        if (o.listening()) {
            try {
                o.rejected(unstarted(d, task), false);
            } catch (RuntimeException e) {
                ignored("rejected", e);
            }
        }
    }

    /** A run interrupted by a terminating revoke. */
    void terminated(TaskRunner.Job job) {
        TaskObserver o = observer;
        if (o.listening()) {
            try {
                o.revoked(job.request(), true, false);
            } catch (RuntimeException e) {
                ignored("revoked", e);
            }
        }
    }

    /** A task settled unrun as revoked, or as expired. */
    void revoked(Delivery d, TaskMessage task, boolean expired) {
        TaskObserver o = observer;
        if (o.listening()) {
            try {
                o.revoked(unstarted(d, task), false, expired);
            } catch (RuntimeException e) {
                ignored("revoked", e);
            }
        }
    }

    private static TaskRequest unstarted(Delivery d, TaskMessage task) {
        return new TaskRequest(task, d.queue(), d.redelivered(), false, null, task.eta());
    }

    private static void ignored(String event, RuntimeException e) {
        LOG.warn("Task observer failed on {}; ignored", event, e);
    }

    /** The tasks held in a stage now. */
    List<TaskRequest> in(Stage stage) {
        List<TaskRequest> in = new ArrayList<>();
        for (TaskRunner.Job job : held) {
            if (job.stage() == stage) {
                in.add(job.request());
            }
        }
        return Collections.unmodifiableList(in);
    }

    /** How many tasks run now. */
    int running() {
        int n = 0;
        for (TaskRunner.Job job : held) {
            if (job.stage() == Stage.ACTIVE) {
                n++;
            }
        }
        return n;
    }

    /** How many tasks of each type were started, by name. */
    Map<String, Long> totals() {
        Map<String, Long> totals = new TreeMap<>();
        started.forEach((name, n) -> totals.put(name, n.sum()));
        return Collections.unmodifiableMap(totals);
    }
}
