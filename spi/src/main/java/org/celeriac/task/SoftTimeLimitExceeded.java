package org.celeriac.task;

/**
 * The soft time limit of a task has passed, as Celery's {@code SoftTimeLimitExceeded}. The worker interrupts
 * the task's thread at the soft limit; blocking calls then throw {@link InterruptedException}, and
 * {@link TaskContext#checkSoftTimeLimit()} throws this. A task may catch either to clean up; one that lets
 * either out fails with this exception, stored as Celery stores it.
 */
public class SoftTimeLimitExceeded extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SoftTimeLimitExceeded() {
        super("soft time limit exceeded");
    }
}
