package org.celeriac.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.SendOptions;
import org.celeriac.config.Settings;
import org.celeriac.discovery.ServiceLoaderCatalog;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.spi.events.Event;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.worker.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A worker under remote control and sending events, end to end through a real (in-memory) broker: Celery's commands
 * sent by {@link Control}, as Celery's command line sends them, get Celery-shaped replies and change the worker.
 */
class WorkerNodeTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ServiceLoaderCatalog plugins = new ServiceLoaderCatalog();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final String key = UUID.randomUUID().toString();
    private Settings settings = Celeriac.inMemory(UUID.randomUUID().toString());

    @AfterEach
    void close() throws Exception {
        NodeTasks.release(key).countDown();
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private Celeriac app(String... extra) {
        Settings s = settings;
        for (int i = 0; i < extra.length; i += 2) {
            s = s.with(extra[i], extra[i + 1]);
        }
        Celeriac a = Celeriac.open(s, plugins);
        a.tasks().register(NodeTasks.class);
        open.add(a);
        return a;
    }

    private Worker worker(Celeriac app, String name) {
        Worker w = app.worker(app.workerOptions().withHostname(name).withConcurrency(2));
        w.start();
        return w;
    }

    private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition still false after %s", WAIT).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    /** The command sent to w1@test, the one worker of the tests that use this: the wait ends with its reply. */
    private static Map<String, Object> reply(Celeriac caller, String command, Map<String, Object> args) {
        return caller.control().call(command, args, ControlTarget.to(List.of("w1@test")));
    }

    @Test
    void workerAnswersPingStatsAndRegisteredInCelerysShapes() {
        Celeriac app = app();
        Worker w = worker(app, "w1@test");
        Celeriac caller = app();

        assertThat(caller.control().inspect().ping()).isEqualTo(Map.of("w1@test", Map.of("ok", "pong")));
        assertThat(reply(caller, "registered", Map.of())).isEqualTo(Map.of("w1@test", List.of("n.add", "n.hold")));
        @SuppressWarnings("unchecked")
        Map<String, Object> stats = (Map<String, Object>) reply(caller, "stats", Map.of()).get("w1@test");
        assertThat(stats).containsKeys("total", "pid", "clock", "uptime", "broker", "prefetch_count", "rusage");
        assertThat(stats.get("pool")).isInstanceOfSatisfying(Map.class, pool -> assertThat(pool)
                .containsEntry("max-concurrency", 2).containsKey("processes"));
        assertThat(stats).containsEntry("prefetch_count", w.prefetchCount());
    }

    @Test
    void activeReservedAndQueryTaskShowARunningTask() throws Exception {
        Celeriac app = app();
        Worker w = worker(app, "w1@test");
        AsyncResult held = app.client().send("n.hold", List.of(key), Map.of());
        waitUntil(() -> !w.active().isEmpty());

        @SuppressWarnings("unchecked")
        List<Map<String, Object>> active = (List<Map<String, Object>>) reply(app, "active", Map.of()).get("w1@test");
        assertThat(active).singleElement().satisfies(t -> assertThat(t).containsEntry("id", held.id())
                .containsEntry("name", "n.hold").containsEntry("args", List.of(key)).containsEntry("hostname", "w1@test")
                .containsKeys("time_start", "acknowledged", "delivery_info", "worker_pid"));
        assertThat(reply(app, "query_task", Map.of("ids", List.of(held.id()))).get("w1@test"))
                .isInstanceOfSatisfying(Map.class, m -> assertThat(m).containsKey(held.id()));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> queues = (List<Map<String, Object>>) reply(app, "active_queues", Map.of())
                .get("w1@test");
        assertThat(queues).extracting(q -> q.get("name")).containsExactly("celery");
    }

    @Test
    void controlCommandsChangeTheWorker() throws Exception {
        Celeriac app = app();
        Worker w = worker(app, "w1@test");

        assertThat(reply(app, "rate_limit", Map.of("task_name", "n.add", "rate_limit", "10/s")))
                .isEqualTo(Map.of("w1@test", Map.of("ok", "new rate limit set successfully")));
        assertThat(w.rateLimit("n.add")).isEqualTo("10/s");
        assertThat(reply(app, "rate_limit", Map.of("task_name", "n.nope", "rate_limit", "10/s")))
                .isEqualTo(Map.of("w1@test", Map.of("error", "unknown task")));
        assertThat(reply(app, "pool_grow", Map.of("n", 2)))
                .isEqualTo(Map.of("w1@test", Map.of("ok", "pool will grow")));
        assertThat(w.poolSize()).isEqualTo(4);
        assertThat(reply(app, "pool_shrink", Map.of()))
                .isEqualTo(Map.of("w1@test", Map.of("ok", "pool will shrink")));
        assertThat(w.poolSize()).isEqualTo(3);
        assertThat(reply(app, "add_consumer", Map.of("queue", "extra")))
                .isEqualTo(Map.of("w1@test", Map.of("ok", "add consumer extra")));
        assertThat(w.queues()).contains("extra");
        assertThat(reply(app, "time_limit", Map.of("task_name", "n.add", "soft", 10, "hard", 20)))
                .isEqualTo(Map.of("w1@test", Map.of("ok", "time limits set successfully")));
        assertThat(reply(app, "autoscale", Map.of("max", 4, "min", 1)).get("w1@test"))
                .isEqualTo(Map.of("error", "IllegalArgumentException('Autoscale not enabled')"));
    }

    @Test
    void revokeReachesEveryWorkerAndTerminateEndsARunningTask() throws Exception {
        Celeriac app = app();
        Worker w1 = worker(app, "w1@test");
        Worker w2 = worker(app(), "w2@test");
        AsyncResult held = app.client().send("n.hold", List.of(key), Map.of());
        waitUntil(() -> !w1.active().isEmpty() || !w2.active().isEmpty());

        Map<String, Object> replies = app.control().call("revoke",
                Map.of("task_id", held.id(), "terminate", true, "signal", "SIGTERM"), ControlTarget.all());

        assertThat(replies).containsOnlyKeys("w1@test", "w2@test");
        assertThat(replies.values()).contains(Map.of("ok", "terminate: " + held.id()),
                Map.of("ok", "terminate: tasks unknown"));
        assertThat(w1.revokedIds()).contains(held.id());
        assertThat(w2.revokedIds()).contains(held.id());
        waitUntil(() -> held.result().state() == TaskState.REVOKED);
    }

    @Test
    void aStartingWorkerLearnsTheRevokesOfTheOthers() throws Exception {
        Celeriac app = app();
        Worker w1 = worker(app, "w1@test");
        w1.revoke("revoked-while-w2-was-down", false);

        Worker w2 = worker(app(), "w2@test");

        waitUntil(() -> w2.revokedIds().contains("revoked-while-w2-was-down"));
    }

    @Test
    void onlyTheNamedWorkerAnswers() {
        Celeriac app = app();
        worker(app, "w1@test");
        worker(app(), "w2@test");

        Map<String, Object> replies = app.control().call("ping", Map.of(), ControlTarget.to(List.of("w2@test")));

        assertThat(replies).containsOnlyKeys("w2@test");
    }

    @Test
    void workerSendsHeartbeatsAndTaskEventsOnceEnabled() throws Exception {
        Celeriac app = app(Settings.WORKER_HEARTBEAT_INTERVAL, "0.2");
        List<Event> heard = new CopyOnWriteArrayList<>();
        Subscription s = app.events("#", heard::add);
        open.add(s::close);
        worker(app, "w1@test");
        waitUntil(() -> heard.stream().anyMatch(e -> e.type().equals("worker-heartbeat")));

        app.client().send("n.add", List.of(2, 3), Map.of()).get(WAIT); // task events are off
        assertThat(reply(app, "enable_events", Map.of()))
                .isEqualTo(Map.of("w1@test", Map.of("ok", "task events enabled")));
        AsyncResult r = app.client().send("n.add", List.of(4, 5), Map.of());
        r.get(WAIT);
        waitUntil(() -> heard.stream().anyMatch(e -> e.type().equals("task-succeeded")));

        assertThat(heard).filteredOn(e -> e.type().startsWith("task-")).extracting(Event::type)
                .containsExactly("task-received", "task-started", "task-succeeded");
        assertThat(heard).filteredOn(e -> e.type().equals("task-received")).singleElement()
                .satisfies(e -> assertThat(e.fields()).containsEntry("uuid", r.id()).containsEntry("name", "n.add")
                        .containsEntry("args", "[4, 5]").containsEntry("hostname", "w1@test"));
        assertThat(heard).filteredOn(e -> e.type().equals("task-succeeded")).singleElement()
                .satisfies(e -> assertThat(e.fields()).containsEntry("result", "9").containsKey("runtime"));
        assertThat(heard.get(0).type()).isEqualTo("worker-online");
        assertThat(heard.get(0).fields()).containsKeys("freq", "active", "processed", "loadavg", "sw_ident",
                "sw_ver", "sw_sys", "clock", "pid", "utcoffset", "timestamp");
    }

    @Test
    void shutdownCommandStopsTheWorkerWithoutAReply() throws Exception {
        Celeriac app = app();
        Worker w = worker(app, "w1@test");
        List<Event> heard = new CopyOnWriteArrayList<>();
        Subscription s = app.events("worker.offline", heard::add);
        open.add(s::close);

        assertThat(reply(app, "shutdown", Map.of())).isEmpty();

        waitUntil(() -> !heard.isEmpty());
        assertThat(app.control().call("ping", Map.of(), ControlTarget.all())).isEmpty();
        AsyncResult later = app.client().send("n.add", List.of(1, 1), Map.of(), SendOptions.defaults());
        Thread.sleep(300);
        assertThat(later.result().state()).isEqualTo(TaskState.PENDING);
        assertThat(w.processed()).isZero();
    }

    @Test
    void taskSentEventsComeFromClientsThatAskForThem() throws Exception {
        Celeriac app = app(Settings.TASK_SEND_SENT_EVENT, "true");
        List<Event> heard = new CopyOnWriteArrayList<>();
        Subscription s = app.events("task.sent", heard::add);
        open.add(s::close);

        AsyncResult r = app.client().send("n.add", List.of(1, 2), Map.of());

        waitUntil(() -> !heard.isEmpty());
        assertThat(heard.get(0).fields()).containsEntry("uuid", r.id()).containsEntry("name", "n.add")
                .containsEntry("queue", "celery");
        assertThat((String) heard.get(0).fields().get("hostname")).startsWith("gen");
    }
}
