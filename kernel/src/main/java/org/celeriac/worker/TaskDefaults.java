package org.celeriac.worker;

import java.time.Duration;

/**
 * Worker-wide defaults for what a task does not set itself, by Celery's settings.
 *
 * @param timeLimit                {@code task_time_limit}: the hard time limit, or null for none
 * @param softTimeLimit            {@code task_soft_time_limit}: the soft time limit, or null for none
 * @param trackStarted             {@code task_track_started}: store STARTED when a task starts
 * @param storeErrorsEvenIfIgnored {@code task_store_errors_even_if_ignored}: store failures of tasks whose
 *                                 result is ignored
 * @param rejectOnWorkerLost       {@code task_reject_on_worker_lost}: requeue, rather than ack and fail with
 *                                 {@code WorkerLostError}, a late-ack task whose run the worker cut short
 */
public record TaskDefaults(Duration timeLimit, Duration softTimeLimit, boolean trackStarted,
                           boolean storeErrorsEvenIfIgnored, boolean rejectOnWorkerLost) {

    public TaskDefaults {
        timeLimit = positiveOrNull(timeLimit);
        softTimeLimit = positiveOrNull(softTimeLimit);
    }

    /** Time limits and STARTED tracking; the rest as Celery's defaults. */
    public TaskDefaults(Duration timeLimit, Duration softTimeLimit, boolean trackStarted) {
        this(timeLimit, softTimeLimit, trackStarted, false, false);
    }

    /** Celery's: no time limits, STARTED not stored, errors of ignored results not stored, lost tasks acked. */
    public static TaskDefaults defaults() {
        return new TaskDefaults(null, null, false);
    }

    public TaskDefaults withTimeLimits(Duration hard, Duration soft) {
        return new TaskDefaults(hard, soft, trackStarted, storeErrorsEvenIfIgnored, rejectOnWorkerLost);
    }

    public TaskDefaults withTrackStarted(boolean track) {
        return new TaskDefaults(timeLimit, softTimeLimit, track, storeErrorsEvenIfIgnored, rejectOnWorkerLost);
    }

    public TaskDefaults withStoreErrorsEvenIfIgnored(boolean store) {
        return new TaskDefaults(timeLimit, softTimeLimit, trackStarted, store, rejectOnWorkerLost);
    }

    public TaskDefaults withRejectOnWorkerLost(boolean reject) {
        return new TaskDefaults(timeLimit, softTimeLimit, trackStarted, storeErrorsEvenIfIgnored, reject);
    }

    /** A task's own choice, or else this default. */
    static boolean resolve(org.celeriac.task.Task.Toggle own, boolean fallback) {
        return own == org.celeriac.task.Task.Toggle.DEFAULT ? fallback : own == org.celeriac.task.Task.Toggle.ON;
    }

    private static Duration positiveOrNull(Duration d) {
        return d == null || d.isZero() || d.isNegative() ? null : d;
    }
}
