package org.celeriac.client;

import java.time.Duration;
import java.time.Instant;

/**
 * Per-call options, as Celery's {@code apply_async} takes them. Unset (null) options take the defaults.
 *
 * @param queue         queue to send to; the default queue when null
 * @param countdown     run no earlier than this long from now
 * @param eta           run no earlier than this time (wins over countdown)
 * @param expires       do not run after this time
 * @param priority      message priority
 * @param taskId        the task id to use; a random UUID when null
 * @param ignoreResult  ask the worker not to store the result
 * @param timeLimit     hard time limit in seconds
 * @param softTimeLimit soft time limit in seconds
 */
public record SendOptions(String queue, Duration countdown, Instant eta, Instant expires, Integer priority,
                          String taskId, boolean ignoreResult, Double timeLimit, Double softTimeLimit) {

    public static SendOptions defaults() {
        return new SendOptions(null, null, null, null, null, null, false, null, null);
    }

    public SendOptions queue(String q) {
        return new SendOptions(q, countdown, eta, expires, priority, taskId, ignoreResult, timeLimit, softTimeLimit);
    }

    public SendOptions countdown(Duration d) {
        return new SendOptions(queue, d, eta, expires, priority, taskId, ignoreResult, timeLimit, softTimeLimit);
    }

    public SendOptions eta(Instant t) {
        return new SendOptions(queue, countdown, t, expires, priority, taskId, ignoreResult, timeLimit, softTimeLimit);
    }

    public SendOptions expires(Instant t) {
        return new SendOptions(queue, countdown, eta, t, priority, taskId, ignoreResult, timeLimit, softTimeLimit);
    }

    public SendOptions priority(int p) {
        return new SendOptions(queue, countdown, eta, expires, p, taskId, ignoreResult, timeLimit, softTimeLimit);
    }

    public SendOptions taskId(String id) {
        return new SendOptions(queue, countdown, eta, expires, priority, id, ignoreResult, timeLimit, softTimeLimit);
    }

    public SendOptions ignoreResult(boolean ignore) {
        return new SendOptions(queue, countdown, eta, expires, priority, taskId, ignore, timeLimit, softTimeLimit);
    }

    public SendOptions timeLimits(Double hard, Double soft) {
        return new SendOptions(queue, countdown, eta, expires, priority, taskId, ignoreResult, hard, soft);
    }
}
