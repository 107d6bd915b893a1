package org.celeriac.spi.backend;

/** Task states, spelled as Celery stores them. */
public enum TaskState {
    PENDING, RECEIVED, STARTED, RETRY, SUCCESS, FAILURE, REVOKED,
    /**
     * Asked to abort (Celery's {@code celery.contrib.abortable}, which Flower's {@code /api/task/abort} stores): not
     * ready, as in Celery, since the task itself decides whether to stop and then stores its own end.
     */
    ABORTED;

    /** Whether the task has finished for good: no later state will replace this one. */
    public boolean isReady() {
        return this == SUCCESS || this == FAILURE || this == REVOKED;
    }

    /** Whether the task ended without a result (Celery's {@code PROPAGATE_STATES}): it fails what waits for it. */
    public boolean isFailed() {
        return this == FAILURE || this == REVOKED;
    }
}
