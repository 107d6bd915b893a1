package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.celeriac.itests.RedisApps.await;
import static org.celeriac.itests.RedisApps.failure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.SendOptions;
import org.celeriac.client.TaskFailedException;
import org.celeriac.config.Settings;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.worker.DispatchOptions;
import org.celeriac.worker.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import redis.clients.jedis.Jedis;

/**
 * Dispatch semantics on a real Redis, in process: a revoke that terminates a running task, a rate limit, a
 * message whose task takes down every worker that runs it, dead-lettered after {@code worker_max_deliveries}
 * instead of going round for ever, STARTED and ignored errors stored when configured, prefetch disabled, the solo
 * pool. What the client sees: states and exception types.
 */
@Timeout(120)
class RedisDispatchTest {
    private static final Duration WAIT = RedisApps.WAIT;

    @RegisterExtension
    static final TestRedis REDIS = new TestRedis();

    @RegisterExtension
    final RedisApps apps = new RedisApps(REDIS);

    private Celeriac app() {
        return apps.app();
    }

    private Celeriac app(Map<String, String> settings) {
        return apps.app(settings);
    }

    private Worker worker(Celeriac app, int concurrency, boolean acksLate, DispatchOptions dispatch) {
        return apps.worker(app, concurrency, acksLate, dispatch);
    }

    @Test
    void terminatedTaskEndsRevokedAndARevokedOneNeverRuns() throws Exception {
        // STARTED is stored once the worker has checked the task is not revoked: a revoke from then on terminates it
        Celeriac app = app(Map.of(Settings.TASK_TRACK_STARTED, "true"));
        Worker worker = worker(app, 1, true, DispatchOptions.defaults());
        AsyncResult running = app.client().send("demo.sleep", List.of(60), Map.of());
        AsyncResult next = app.client().send("demo.add", List.of(1, 2), Map.of());
        await("the sleep to start", () -> running.state() == TaskState.STARTED);
        try (Jedis j = REDIS.client(0)) {
            assertThat(j.llen("celery")).as("the next one taken ahead").isZero();
        }
        worker.revoke(next.id(), false);

        worker.revoke(running.id(), true);

        TaskFailedException terminated = failure(running);
        assertThat(terminated.state()).isEqualTo(TaskState.REVOKED);
        assertThat(terminated.exception().type()).isEqualTo("TaskRevokedError");
        assertThat(terminated.exception().message()).isEqualTo("terminated");
        TaskFailedException revoked = failure(next);
        assertThat(revoked.state()).isEqualTo(TaskState.REVOKED);
        assertThat(revoked.exception().message()).isEqualTo("revoked");
        assertThat(app.client().send("demo.add", List.of(2, 3), Map.of()).get(WAIT)).isEqualTo(5);
    }

    @Test
    void rateLimitSpacesTasksOut() throws Exception {
        Celeriac app = app();
        worker(app, 2, false, DispatchOptions.defaults().withDefaultRateLimit("4/s"));
        List<AsyncResult> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(app.client().send("demo.add", List.of(i, 0), Map.of()));
        }

        for (int i = 0; i < 5; i++) {
            assertThat(((Number) sent.get(i).get(WAIT)).intValue()).isEqualTo(i);
        }
        List<java.time.Instant> done = sent.stream().map(r -> r.result().dateDone()).sorted().toList();
        // four intervals of 250 ms at the least; bounded below only
        assertThat(Duration.between(done.get(0), done.get(4))).isGreaterThanOrEqualTo(Duration.ofMillis(800));
    }

    @Test
    void messageWhoseTaskTakesDownEveryWorkerIsDeadLetteredWithAFailure() throws Exception {
        DispatchOptions cap = DispatchOptions.defaults().withMaxDeliveries(2);
        Celeriac client = app();
        AsyncResult r = client.client().send("demo.sleep", List.of(60), Map.of());

        try (Jedis j = REDIS.client(0)) {
            for (int run = 1; run <= 2; run++) {
                Celeriac doomed = app();
                Worker w = worker(doomed, 1, true, cap);
                // From the second run on, the worker first acks the redelivered message, having queued a copy.
                int acked = run == 1 ? 0 : 1;
                await("run " + run, () -> j.llen("celery") == 0 && j.hlen("unacked") == 1 && w.processed() == acked);
                // The connection goes away with the task unacknowledged, as when its process dies.
                doomed.transport().close();
            }
        }
        worker(client, 1, true, cap);

        TaskFailedException e = failure(r);
        assertThat(e.state()).isEqualTo(TaskState.FAILURE);
        assertThat(e.exception().type()).isEqualTo("WorkerLostError");
        assertThat(e.exception().message()).contains("delivered 3 times");
        try (Jedis j = REDIS.client(0)) {
            await("the dead letter", () -> j.llen("celeriac.dead_letter") == 1);
            assertThat(j.lindex("celeriac.dead_letter", 0)).contains("x-celeriac-deliveries")
                    .contains("x-celeriac-dead-letter-reason");
            assertThat(j.llen("celery")).isZero();
        }
    }

    @Test
    void tracksStartedAndStoresTheErrorsOfIgnoredResultsWhenConfigured() throws Exception {
        Celeriac app = app(Map.of(Settings.TASK_TRACK_STARTED, "true",
                Settings.TASK_STORE_ERRORS_EVEN_IF_IGNORED, "true"));
        worker(app, 2, false, DispatchOptions.defaults());

        AsyncResult running = app.client().send("demo.sleep", List.of(2), Map.of());
        await("STARTED stored", () -> running.state() == TaskState.STARTED);
        AsyncResult ignored = app.client().send("demo.fail", List.of("boom"), Map.of(),
                SendOptions.defaults().ignoreResult(true));
        AsyncResult ignoredSuccess = app.client().send("demo.add", List.of(1, 2), Map.of(),
                SendOptions.defaults().ignoreResult(true));

        await("the ignored failure stored", () -> ignored.state() == TaskState.FAILURE);
        assertThat(((Number) running.get(WAIT)).intValue()).isEqualTo(2);
        assertThat(ignoredSuccess.state()).as("a success stays ignored").isEqualTo(TaskState.PENDING);
    }

    @Test
    void withPrefetchDisabledABusyWorkerLeavesQueuedTasksToAnIdleOne() throws Exception {
        DispatchOptions noPrefetch = DispatchOptions.defaults().withDisablePrefetch(true);
        Celeriac busyApp = app();
        worker(busyApp, 1, true, noPrefetch);
        AsyncResult longTask = busyApp.client().send("demo.sleep", List.of(4), Map.of());
        await("the long task taken", () -> {
            try (Jedis j = REDIS.client(0)) {
                return j.llen("celery") == 0;
            }
        });
        Celeriac idleApp = app();
        List<AsyncResult> quick = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            quick.add(idleApp.client().send("demo.add", List.of(i, 1), Map.of()));
        }
        worker(idleApp, 1, true, noPrefetch);

        for (int i = 0; i < 5; i++) {
            assertThat(((Number) quick.get(i).get(WAIT)).intValue()).isEqualTo(i + 1);
        }
        assertThat(longTask.state()).as("the quick ones did not wait behind it").isNotEqualTo(TaskState.SUCCESS);
        assertThat(((Number) longTask.get(WAIT)).intValue()).isEqualTo(4);
    }

    @Test
    void soloPoolRunsOneTaskAtATime() throws Exception {
        Celeriac app = app();
        worker(app, 4, false, DispatchOptions.defaults().withPool(DispatchOptions.Pool.SOLO));
        AsyncResult first = app.client().send("demo.sleep", List.of(2), Map.of());
        AsyncResult second = app.client().send("demo.sleep", List.of(2), Map.of());

        assertThat(((Number) first.get(WAIT)).intValue()).isEqualTo(2);
        assertThat(((Number) second.get(WAIT)).intValue()).isEqualTo(2);
        assertThat(Duration.between(first.result().dateDone(), second.result().dateDone()).abs())
                .as("one after the other, not side by side").isGreaterThanOrEqualTo(Duration.ofMillis(1500));
    }
}
