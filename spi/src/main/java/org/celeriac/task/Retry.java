package org.celeriac.task;

import java.time.Duration;

/**
 * Thrown by a task to be run again later, as Celery's {@code Retry}. Made by {@link TaskContext#retry}.
 */
public class Retry extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Duration countdown;

    public Retry(Duration countdown, Throwable cause) {
        super(cause == null ? "Retry in " + countdown : "Retry in " + countdown + ": " + cause, cause, false, false);
        this.countdown = countdown;
    }

    /** When to run again, or null for the task's default retry delay. */
    public Duration countdown() {
        return countdown;
    }
}
