package org.celeriac.worker;

import org.celeriac.protocol.ExceptionInfo;

/**
 * Told what becomes of each task a worker holds, at the points Celery sends its task events. Called synchronously on
 * the worker's own threads (pool threads, its timer, its consumer), so an observer must not block: hand the event
 * off and return. What it throws is logged and ignored. Every method does nothing unless overridden.
 *
 * <p>A task revoked or expired on arrival is only {@link #revoked}, as Celery does not report it received. Nothing is
 * reported for a task a cold shutdown interrupts: its message goes back to the broker as it came.
 */
public interface TaskObserver {

    /** An observer that does nothing: the worker's until {@link Worker#observe} is called. */
    TaskObserver NONE = new TaskObserver() {
        @Override
        public boolean listening() {
            return false;
        }
    };

    /**
     * Whether it wants to hear now; while it does not, the worker builds nothing for it (no request snapshots, no
     * tracebacks it would not store anyway). Asked at each point, so it may change at any time.
     */
    default boolean listening() {
        return true;
    }

    /** Decoded and accepted by this worker, before it waits for its ETA or rate limit (Celery's task-received). */
    default void received(TaskRequest r) {
    }

    /** Started on a pool thread (Celery's task-started). */
    default void started(TaskRequest r) {
    }

    /**
     * Returned (Celery's task-succeeded).
     *
     * @param result         its return value as stored: plain JSON values
     * @param runtimeSeconds how long it ran
     */
    default void succeeded(TaskRequest r, Object result, double runtimeSeconds) {
    }

    /** Failed, its retries used up included, or ran past its hard time limit (Celery's task-failed). */
    default void failed(TaskRequest r, ExceptionInfo error, String traceback) {
    }

    /** Asked for a retry, which is on the broker now (Celery's task-retried). */
    default void retried(TaskRequest r, ExceptionInfo error, String traceback) {
    }

    /**
     * Its message was rejected (Celery's task-rejected): requeued when the worker cut its run short and it rejects
     * on worker lost, or dead-lettered ({@code requeue} false).
     */
    default void rejected(TaskRequest r, boolean requeue) {
    }

    /**
     * Revoked (Celery's task-revoked): settled unrun as revoked or expired, or, with {@code terminated}, its run
     * interrupted by a terminating revoke.
     */
    default void revoked(TaskRequest r, boolean terminated, boolean expired) {
    }
}
