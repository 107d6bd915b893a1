package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.TaskFailedException;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.task.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Automatic retries, backoff, the retry limit, and RETRY stored before the next attempt runs. */
@Timeout(60)
class RetryOptionsTest extends ExecutionTestSupport {

    private static Task options(String method, Class<?>... parameters) throws NoSuchMethodException {
        return ExecutionTasks.class.getMethod(method, parameters).getAnnotation(Task.class);
    }

    @Test
    void autoretriesListedExceptionsUntilTheTaskSucceeds() throws Exception {
        Celeriac app = app();
        startWorker(app, 2);
        String key = key();

        Object retries = app.client().send("x.autoretry", List.of(key, 3), Map.of()).get(WAIT);

        assertThat(retries).isEqualTo(2);
        assertThat(ExecutionTasks.RUNS.get(key).get()).isEqualTo(3);
    }

    @Test
    void autoretryGivesUpAfterMaxRetriesWithTheTasksException() {
        Celeriac app = app();
        startWorker(app, 2);
        String key = key();

        TaskFailedException e = failure(app.client().send("x.autoretry", List.of(key, 100), Map.of()));

        assertThat(e.exception().type()).isEqualTo("IllegalStateException");
        assertThat(e.exception().message()).isEqualTo("attempt 6");
        assertThat(ExecutionTasks.RUNS.get(key).get()).isEqualTo(6); // the first attempt and maxRetries = 5
    }

    @Test
    void exceptionsNotListedAreNotRetried() {
        Celeriac app = app();
        startWorker(app, 2);
        String key = key();

        TaskFailedException e = failure(app.client().send("x.autoretry_other", List.of(key), Map.of()));

        assertThat(e.exception().type()).isEqualTo("IllegalArgumentException");
        assertThat(ExecutionTasks.RUNS.get(key).get()).isEqualTo(1);
    }

    @Test
    void retriesWithExponentialBackoff() throws Exception {
        Celeriac app = app();
        startWorker(app, 2);
        String key = key();
        long sent = System.nanoTime();

        Object retries = app.client().send("x.backoff", List.of(key), Map.of()).get(WAIT);

        assertThat(retries).isEqualTo(1);
        // The first retry waits factor * 2^0 = 1 s; no upper bound but the timeout.
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void retryWithoutCountdownWaitsTheTasksDefaultRetryDelay() throws Exception {
        Celeriac app = app();
        startWorker(app, 2);
        long sent = System.nanoTime();

        Object retries = app.client().send("x.default_delay", List.of(), Map.of()).get(WAIT);

        assertThat(retries).isEqualTo(1);
        // default_retry_delay = 1 s; no upper bound but the timeout (Celery's default would be 180 s).
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void backoffCountdownDoublesUpToItsMaximumAndJittersBelowIt() throws Exception {
        Task exact = options("backoff", String.class, org.celeriac.task.TaskContext.class);
        Task jittered = options("autoretry", String.class, int.class, org.celeriac.task.TaskContext.class);

        assertThat(List.of(0, 1, 2, 3, 9, 10, 80).stream().map(n -> Retries.autoretryCountdown(exact, n).toSeconds()))
                .containsExactly(1L, 2L, 4L, 8L, 512L, 600L, 600L);
        assertThat(Retries.autoretryCountdown(jittered, 3)).as("no backoff: the default delay").isNull();
        Task withJitter = options("jitter");
        for (int i = 0; i < 200; i++) {
            assertThat(Retries.autoretryCountdown(withJitter, 4).toSeconds()).isBetween(0L, 16L);
        }
    }

    @Test
    void retryIsStoredBeforeTheNextAttemptRuns() throws Exception {
        Celeriac app = app();
        startWorker(app, 4);

        for (int i = 0; i < 20; i++) {
            AsyncResult r = app.client().send("x.retry_now", List.of(), Map.of());
            // The next attempt saw RETRY, never PENDING, and its SUCCESS was not overwritten by it.
            assertThat(r.get(WAIT)).isEqualTo("RETRY");
            assertThat(r.state()).isEqualTo(TaskState.SUCCESS);
        }
    }
}
