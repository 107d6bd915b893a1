package org.celeriac.task;

import java.time.Duration;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/** The running task as its code sees it: declare a parameter of this type to receive it. */
@ProviderType
public interface TaskContext {

    String id();

    String name();

    /** How many times this task was retried before this attempt (0 on the first). */
    int retries();

    /**
     * The headers of the message that started this attempt that the worker does not read itself: stamps,
     * {@code lang}, {@code shadow}, any a sender adds. Those it reads ({@code id}, {@code task}, {@code retries},
     * {@code eta}, {@code expires}, {@code timelimit}, ...) are not among them.
     */
    Map<String, Object> headers();

    /** The message's {@code priority} property (Celery's {@code request.delivery_info['priority']}), 0 if none. */
    default int priority() {
        return 0;
    }

    /**
     * Asks for another attempt after {@code countdown} (the task's default delay when null); throw what this
     * returns. When the retries are used up, the task fails with {@code cause} (or {@code MaxRetriesExceededError}).
     */
    Retry retry(Duration countdown, Throwable cause);

    /**
     * Throws {@link SoftTimeLimitExceeded} once the attempt's soft time limit has passed, clearing the
     * interrupt the limit sent: for code that computes without blocking, which the interrupt does not stop.
     */
    default void checkSoftTimeLimit() {
    }

    /** {@link #retry(Duration, Throwable)} with the default delay and no cause. */
    default Retry retry() {
        return retry(null, null);
    }
}
