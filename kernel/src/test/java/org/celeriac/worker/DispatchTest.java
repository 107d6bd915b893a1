package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.CeleriacClient;
import org.celeriac.client.SendOptions;
import org.celeriac.client.TaskFailedException;
import org.celeriac.config.Settings;
import org.celeriac.discovery.ServiceLoaderCatalog;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.spi.transport.Delivery;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a worker does with a message before it runs it, on the in-memory broker and backend: rate limits, routing,
 * revokes, and the cap on deliveries of a message that takes its worker down. Outcomes read back through the client.
 */
@Timeout(60)
class DispatchTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ServiceLoaderCatalog plugins = new ServiceLoaderCatalog();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final String broker = "memory://" + UUID.randomUUID();
    private Celeriac app;
    private CeleriacClient client;

    @TempDir
    Path dir;

    @BeforeEach
    void openApp() {
        app = app(Map.of());
        client = app.client();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** An app on this test's broker and backend: another connection, as another process would have. */
    private Celeriac app(Map<String, String> settings) {
        Map<String, String> all = new java.util.HashMap<>(settings);
        all.put(Settings.BROKER_URL, broker);
        all.put(Settings.RESULT_BACKEND, broker);
        Celeriac a = Celeriac.open(Settings.of(all), plugins);
        a.tasks().register(TestTasks.class);
        open.add(a);
        return a;
    }

    private Worker startWorker(Celeriac on, WorkerOptions options, DispatchOptions dispatch) {
        Worker w = on.worker(options, dispatch);
        open.add(w);
        w.start();
        return w;
    }

    private Worker startWorker(int concurrency, DispatchOptions dispatch) {
        return startWorker(app, app.workerOptions().withConcurrency(concurrency), dispatch);
    }

    private static TaskFailedException failure(AsyncResult r) {
        try {
            Object value = r.get(WAIT);
            throw new AssertionError("expected a failure, got " + value);
        } catch (TaskFailedException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static void await(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    private static int runs(String key) {
        AtomicInteger n = TestTasks.RUNS.get(key);
        return n == null ? 0 : n.get();
    }

    private static long succeeded(List<AsyncResult> sent) {
        return sent.stream().filter(r -> r.state() == TaskState.SUCCESS).count();
    }

    // --- rate limits

    @Test
    void rateLimitedTasksAreSpacedOutWhileOtherTasksRunOnTheOnlyThread() throws Exception {
        startWorker(1, DispatchOptions.defaults());
        List<AsyncResult> limited = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            limited.add(client.send("t.limited", List.of(i), Map.of()));
        }
        AsyncResult other = client.send("t.add", List.of(2, 3), Map.of());

        assertThat(other.get(WAIT)).isEqualTo(5);
        for (int i = 0; i < 6; i++) {
            assertThat(limited.get(i).get(WAIT)).isEqualTo(i);
        }
        Instant first = limited.get(0).result().dateDone();
        Instant last = limited.get(5).result().dateDone();
        // 5/s with no burst: five intervals of 200 ms at the least (bounded below, generously, never above).
        assertThat(Duration.between(first, last)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
        assertThat(other.result().dateDone()).isBefore(last);
    }

    @Test
    void defaultRateLimitAppliesUntilChangedAtRunTimeAndTheChangeReleasesThoseWaiting() throws Exception {
        Worker worker = startWorker(2, DispatchOptions.defaults().withDefaultRateLimit("1/m"));
        List<AsyncResult> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(client.send("t.add", List.of(i, 1), Map.of()));
        }
        await("one task run", () -> succeeded(sent) == 1);
        assertThat(worker.rateLimit("t.add")).isEqualTo("1/m");
        assertThat(worker.rateLimit("t.limited")).as("a task's own limit wins over the default").isEqualTo("5/s");
        Thread.sleep(200);
        assertThat(succeeded(sent)).as("the next one is a minute away").isEqualTo(1);

        worker.setRateLimit("t.add", "");

        for (int i = 0; i < 5; i++) {
            assertThat(sent.get(i).get(WAIT)).isEqualTo(i + 1); // a minute apart at 1/m
        }
        assertThat(worker.rateLimit("t.add")).isEmpty();
    }

    @Test
    void warmShutdownGivesBackTasksWaitingForTheirRateLimit() throws Exception {
        Worker worker = startWorker(2, DispatchOptions.defaults().withDefaultRateLimit("1/m"));
        List<AsyncResult> sent = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            sent.add(client.send("t.add", List.of(i, i), Map.of()));
        }
        // whichever reaches the limiter first runs; the pool's threads may take them in any order
        await("one task run", () -> succeeded(sent) == 1);
        await("the others taken", () -> app.transport().size("celery") == 0);

        worker.stop();

        assertThat(app.transport().size("celery")).isEqualTo(2);
    }

    // --- routing

    @Test
    void routesByCallThenTaskRoutesThenTheTasksOwnQueueThenTheDefault() throws Exception {
        Celeriac routed = app(Map.of(Settings.TASK_ROUTES, "t.add:adds, t.q*:routed"));
        CeleriacClient c = routed.client();

        assertThat(c.queueFor("t.add")).isEqualTo("adds");
        assertThat(c.queueFor("t.queued")).as("a route wins over @Task(queue)").isEqualTo("routed");
        assertThat(app.client().queueFor("t.queued")).isEqualTo("own");
        assertThat(c.queueFor("t.echo")).isEqualTo("celery");

        startWorker(routed, routed.workerOptions().withQueues(List.of("adds")), DispatchOptions.defaults());
        AsyncResult r = c.send("t.add", List.of(2, 3), Map.of());
        c.send("t.add", List.of(2, 3), Map.of(), SendOptions.defaults().queue("elsewhere"));

        assertThat(r.get(WAIT)).isEqualTo(5);
        assertThat(routed.transport().size("elsewhere")).isEqualTo(1);
    }

    // --- revokes

    @Test
    void revokedTaskIsSettledUnrunAsRevoked() throws Exception {
        Worker worker = startWorker(2, DispatchOptions.defaults());
        String key = UUID.randomUUID().toString();
        String id = UUID.randomUUID().toString();
        worker.revoke(id, false);

        TaskFailedException e = failure(client.send("t.count", List.of(key), Map.of(), SendOptions.defaults().taskId(id)));

        assertThat(e.state()).isEqualTo(TaskState.REVOKED);
        assertThat(e.exception().type()).isEqualTo("TaskRevokedError");
        assertThat(e.exception().message()).isEqualTo("revoked");
        assertThat(runs(key)).isZero();
        assertThat(client.send("t.add", List.of(2, 3), Map.of()).get(WAIT)).isEqualTo(5);
    }

    @Test
    void taskRevokedWhileWaitingForItsCountdownNeverRuns() throws Exception {
        Worker worker = startWorker(2, DispatchOptions.defaults());
        String key = UUID.randomUUID().toString();
        AsyncResult r = client.send("t.count", List.of(key), Map.of(),
                SendOptions.defaults().countdown(Duration.ofMillis(800)));
        await("the task taken", () -> app.transport().size("celery") == 0);

        worker.revoke(r.id(), false);

        assertThat(failure(r).state()).isEqualTo(TaskState.REVOKED);
        assertThat(runs(key)).isZero();
    }

    @Test
    void terminateInterruptsTheRunningTaskWhichEndsRevokedAndTheThreadRunsTheNextTask() throws Exception {
        Worker worker = startWorker(1, DispatchOptions.defaults());
        String key = UUID.randomUUID().toString();
        AsyncResult r = client.send("t.hang", List.of(key), Map.of());
        await("the task started", () -> runs(key) == 1);

        worker.revoke(r.id(), true);

        TaskFailedException e = failure(r);
        assertThat(e.state()).isEqualTo(TaskState.REVOKED);
        assertThat(e.exception().type()).isEqualTo("TaskRevokedError");
        assertThat(e.exception().message()).isEqualTo("terminated");
        assertThat(client.send("t.sleep", List.of(0.05), Map.of()).get(WAIT)).isEqualTo(0.05);
        assertThat(runs(key)).isEqualTo(1);
    }

    @Test
    void revokesSurviveARestartWithAStateFile() throws Exception {
        DispatchOptions withState = DispatchOptions.defaults().withStateDb(dir.resolve("state").resolve("worker.db"));
        Worker first = startWorker(2, withState);
        String id = UUID.randomUUID().toString();
        first.revoke(id, false);
        first.stop();

        Worker second = startWorker(2, withState);

        assertThat(second.isRevoked(id)).isTrue();
        assertThat(failure(client.send("t.add", List.of(1, 1), Map.of(), SendOptions.defaults().taskId(id))).state())
                .isEqualTo(TaskState.REVOKED);
    }

    // --- poison messages

    @Test
    void messageWhoseTaskTakesDownEveryWorkerIsDeadLetteredAfterMaxDeliveries() throws Exception {
        DispatchOptions cap = DispatchOptions.defaults().withMaxDeliveries(3);
        String key = UUID.randomUUID().toString();
        AsyncResult r = client.send("t.hang", List.of(key), Map.of());

        for (int run = 1; run <= 3; run++) {
            Celeriac doomed = app(Map.of());
            startWorker(doomed, doomed.workerOptions().withConcurrency(1).withShutdownTimeout(Duration.ofMillis(50)),
                    cap);
            int expected = run;
            await("run " + run, () -> runs(key) == expected);
            // The connection goes away with the task unacknowledged, as when the process dies: the broker
            // delivers the message again, marked redelivered, to the next worker.
            doomed.transport().close();
        }
        startWorker(app, app.workerOptions().withConcurrency(1), cap);

        TaskFailedException e = failure(r);
        assertThat(e.state()).isEqualTo(TaskState.FAILURE);
        assertThat(e.exception().type()).isEqualTo("WorkerLostError");
        assertThat(e.exception().message()).contains("delivered 4 times");
        List<Delivery> dead = app.transport().receive(List.of("celeriac.dead_letter"), 1, WAIT);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).message().taskId()).isEqualTo(r.id());
        assertThat(dead.get(0).message().headers()).containsEntry(Redeliveries.COUNT, 3);
        assertThat((List<?>) dead.get(0).message().headers().get(Redeliveries.HISTORY)).hasSize(2);
        assertThat(runs(key)).isEqualTo(3);
        assertThat(app.transport().size("celery")).isZero();
    }

    @Test
    void messagesGivenBackAtAWarmShutdownAreNotCountedAsDeliveriesLost() throws Exception {
        DispatchOptions cap = DispatchOptions.defaults().withMaxDeliveries(1);
        AsyncResult waiting = client.send("t.add", List.of(2, 3), Map.of(),
                SendOptions.defaults().countdown(Duration.ofSeconds(2)));
        Celeriac first = app(Map.of());
        Worker w = startWorker(first, first.workerOptions().withConcurrency(1), cap);
        await("the task taken", () -> app.transport().size("celery") == 0);

        w.stop(); // gives the task waiting for its countdown back: settled, not lost

        assertThat(app.transport().size("celery")).isEqualTo(1);
        startWorker(app, app.workerOptions().withConcurrency(1), cap);
        assertThat(waiting.get(WAIT)).isEqualTo(5);
    }

    @Test
    void redeliveredMessageRunsWhenUnderTheCap() throws Exception {
        AsyncResult r = client.send("t.late", List.of(1.0), Map.of());
        Celeriac doomed = app(Map.of());
        startWorker(doomed, doomed.workerOptions().withConcurrency(1).withShutdownTimeout(Duration.ofMillis(50)),
                DispatchOptions.defaults());
        await("the task taken", () -> doomed.transport().size("celery") == 0);
        doomed.transport().close();

        startWorker(2, DispatchOptions.defaults());

        assertThat(r.get(WAIT)).isEqualTo(1.0);
    }
}
