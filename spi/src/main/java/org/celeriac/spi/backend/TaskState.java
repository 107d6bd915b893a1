package org.celeriac.spi.backend;

/** Task states, spelled as Celery stores them. */
public enum TaskState {
    PENDING, RECEIVED, STARTED, RETRY, SUCCESS, FAILURE, REVOKED;

    /** Whether the task has finished for good: no later state will replace this one. */
    public boolean isReady() {
        return this == SUCCESS || this == FAILURE || this == REVOKED;
    }
}
