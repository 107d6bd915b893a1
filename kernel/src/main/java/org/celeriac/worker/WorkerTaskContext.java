package org.celeriac.worker;

import java.time.Duration;
import java.util.Map;

import org.celeriac.protocol.TaskMessage;
import org.celeriac.task.Retry;
import org.celeriac.task.SoftTimeLimitExceeded;
import org.celeriac.task.TaskContext;

/** What a running task sees of itself. */
record WorkerTaskContext(TaskMessage message, TimeLimiter.Watch limits) implements TaskContext {

    @Override
    public String id() {
        return message.id();
    }

    @Override
    public String name() {
        return message.task();
    }

    @Override
    public int retries() {
        return message.retries();
    }

    @Override
    public Map<String, Object> headers() {
        return message.otherHeaders();
    }

    @Override
    public int priority() {
        return message.priority();
    }

    @Override
    public Retry retry(Duration countdown, Throwable cause) {
        return new Retry(countdown, cause);
    }

    @Override
    public void checkSoftTimeLimit() {
        if (limits != null && limits.softExceeded()) {
            Thread.interrupted(); // the limit's interrupt: this exception says it now
            throw new SoftTimeLimitExceeded();
        }
    }
}
