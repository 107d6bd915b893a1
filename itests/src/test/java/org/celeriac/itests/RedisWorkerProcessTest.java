package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.celeriac.itests.RedisApps.await;
import static org.celeriac.itests.RedisApps.failure;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.CeleriacClient;
import org.celeriac.client.SendOptions;
import org.celeriac.client.TaskFailedException;
import org.celeriac.config.Settings;
import org.celeriac.itests.CeleriacProcesses.Child;
import org.celeriac.protocol.ExceptionInfo;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.worker.DispatchOptions;
import org.celeriac.worker.Worker;
import org.celeriac.worker.WorkerOptions;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.Jedis;

/**
 * {@code celeriac worker} processes on a real Redis, with the flags users give them: {@code -Q} with routing by
 * {@code task_routes} (exact and glob), the call and the task; {@code -n} with Celery's {@code %} variables;
 * {@code -S}, the state file that keeps revokes across a restart; and the warm and cold shutdowns that SIGTERM and
 * a second SIGINT ask for, which leave no task lost on Redis. Clients and any in-process worker are this JVM's.
 */
@Timeout(180)
class RedisWorkerProcessTest {
    private static final String READY = CeleryInteropContract.CELERIAC_READY;

    @RegisterExtension
    @Order(1)
    static final TestRedis REDIS = new TestRedis();

    @RegisterExtension
    @Order(2)
    // The transport's default visibility timeout, an hour, for workers and clients alike: a message back on its
    // list within the test was given back, not restored after a timeout.
    final RedisApps apps = new RedisApps(REDIS, "", OptionTasks.class);

    @RegisterExtension
    @Order(3)
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @TempDir
    Path dir;

    /** Starts {@code celeriac worker} on the test's Redis with more flags; waits until it consumes. */
    private Child worker(String... flags) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("worker", "--broker", apps.brokerUrl(), "--backend",
                apps.backendUrl()));
        args.addAll(List.of(flags));
        Child w = celeriac.start(dir, args.toArray(String[]::new));
        w.awaitOutput(READY);
        return w;
    }

    @Test
    void queuesFlagConsumesOnlyTheQueuesRoutesCallsAndTasksSendTo() throws Exception {
        Celeriac app = apps.app(Map.of(Settings.TASK_ROUTES, "demo.add:adds, demo.m*:maths"));
        CeleriacClient client = app.client();
        assertThat(client.queueFor("demo.add")).isEqualTo("adds");
        assertThat(client.queueFor("demo.mul")).isEqualTo("maths");
        assertThat(client.queueFor("o.own_queue")).as("the task's own queue").isEqualTo("own");
        assertThat(client.queueFor("demo.echo")).as("the default queue").isEqualTo("celery");
        Child worker = worker("-Q", "adds,maths", "-c", "2");
        assertThat(worker.out()).contains("queues:      adds, maths");

        AsyncResult byCall = client.send("demo.add", List.of(1, 1), Map.of(),
                SendOptions.defaults().queue("elsewhere"));
        AsyncResult byDefault = client.send("demo.echo", List.of("x"), Map.of());
        AsyncResult byTask = client.send("o.own_queue", List.of("mine"), Map.of());
        AsyncResult exact = client.send("demo.add", List.of(2, 3), Map.of());
        AsyncResult glob = client.send("demo.mul", List.of(2, 3), Map.of());

        assertThat(((Number) exact.get(RedisApps.WAIT)).intValue()).isEqualTo(5);
        assertThat(((Number) glob.get(RedisApps.WAIT)).intValue()).isEqualTo(6);
        // Sent before those two: had the worker consumed their queues, it would have taken them by now.
        assertThat(apps.queued("elsewhere")).as("a call's queue wins over the routes").isEqualTo(1);
        assertThat(apps.queued("celery")).isEqualTo(1);
        assertThat(apps.queued("own")).isEqualTo(1);
        assertThat(List.of(byCall, byDefault, byTask))
                .allSatisfy(r -> assertThat(r.state()).isEqualTo(TaskState.PENDING));

        Celeriac other = apps.app();
        apps.worker(other, other.workerOptions().withConcurrency(2).withQueues(List.of("celery", "elsewhere", "own")),
                DispatchOptions.defaults());
        assertThat(((Number) byCall.get(RedisApps.WAIT)).intValue()).isEqualTo(2);
        assertThat(byDefault.get(RedisApps.WAIT)).isEqualTo(List.of(List.of("x"), Map.of()));
        assertThat(byTask.get(RedisApps.WAIT)).isEqualTo("mine");
    }

    /**
     * {@code -n} expands {@code %n} (the host name alone) and {@code %h} (with its domain), as Celery's: the name is
     * the one in the banner, in the STARTED state (Celery's {@code hostname} meta) and on a dead letter.
     */
    @Test
    void nameFlagExpandsHostVariablesAndNamesTheWorkerInResultsAndDeadLetters() throws Exception {
        String defaultName = WorkerOptions.defaults().hostname(); // celeriac@HOST, HOST as this JVM sees it
        String host = defaultName.substring(defaultName.indexOf('@') + 1);
        int dot = host.indexOf('.');
        String expected = "w1-" + (dot < 0 ? host : host.substring(0, dot)) + "@" + host;
        trackStarted();
        Child worker = worker("-n", "w1-%n@%h", "-c", "1");
        assertThat(worker.out()).contains("Worker " + expected + " ready.");
        Celeriac app = apps.app();

        AsyncResult r = app.client().send("demo.sleep", List.of(2), Map.of());
        await("STARTED stored", () -> r.state() == TaskState.STARTED);
        assertThat(r.result().result()).isInstanceOfSatisfying(Map.class,
                meta -> assertThat(meta.get("hostname")).isEqualTo(expected));
        assertThat(((Number) r.get(RedisApps.WAIT)).intValue()).isEqualTo(2);

        TaskFailedException unknown = failure(app.client().send("demo.no_such_task", List.of(), Map.of()));
        assertThat(unknown.exception()).isEqualTo(ExceptionInfo.celery("NotRegistered", "demo.no_such_task"));
        try (Jedis j = apps.broker()) {
            await("the dead letter", () -> j.llen("celeriac.dead_letter") == 1);
            assertThat(j.lindex("celeriac.dead_letter", 0)).contains("x-celeriac-dead-lettered-by")
                    .contains("\"" + expected + "\"");
        }
    }

    /** A revoke kept in a worker's state file binds the worker started next on that file with {@code -S}. */
    @Test
    void revokeKeptInTheStateFileBindsTheWorkerStartedNextOnIt() throws Exception {
        Path state = dir.resolve("state").resolve("worker.db");
        Celeriac app = apps.app();
        Worker first = apps.worker(app, 1, false, DispatchOptions.defaults().withStateDb(state));
        String id = UUID.randomUUID().toString();
        first.revoke(id, false);
        first.stop();
        assertThat(state).isRegularFile();

        Child second = worker("-S", state.toString(), "-c", "1");
        TaskFailedException e = failure(app.client().send("demo.add", List.of(1, 1), Map.of(),
                SendOptions.defaults().taskId(id)));
        assertThat(e.state()).isEqualTo(TaskState.REVOKED);
        assertThat(e.exception()).isEqualTo(ExceptionInfo.celery("TaskRevokedError", "revoked"));
        assertThat(((Number) app.client().send("demo.add", List.of(2, 3), Map.of()).get(RedisApps.WAIT)).intValue())
                .isEqualTo(5);
        assertThat(second.err()).contains(id).doesNotContain("demo.add[" + id + "] succeeded");
    }

    /**
     * SIGTERM: the worker takes no more, lets the running task finish, gives the late-ack messages it took ahead back
     * to their Redis list at once (not after the visibility timeout, an hour by default) and exits 0.
     */
    @Test
    void sigtermFinishesTheRunningTaskAndGivesTheTasksTakenAheadBackToRedis() throws Exception {
        trackStarted();
        Celeriac app = apps.app();
        CeleriacClient client = app.client();
        AsyncResult running = client.send("demo.sleep", List.of(3), Map.of());
        List<AsyncResult> waiting = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            waiting.add(client.send("demo.add", List.of(i, i), Map.of()));
        }
        // One task at a time, four taken ahead: the sleep and the three behind it, first in, first out.
        Child worker = worker("-c", "1", "--prefetch-multiplier", "4", "--acks-late");
        await("the sleep running", () -> running.state() == TaskState.STARTED);
        await("all four taken, unacked", () -> apps.queued("celery") == 0 && apps.unacked() == 4);

        worker.process().destroy();

        assertThat(worker.awaitExit()).as("exit code after SIGTERM").isZero();
        assertThat(running.state()).as("finished before the exit").isEqualTo(TaskState.SUCCESS);
        assertThat(waiting).allSatisfy(r -> assertThat(r.state()).isEqualTo(TaskState.PENDING));
        try (Jedis j = apps.broker()) {
            assertThat(j.lrange("celery", 0, -1)).as("all three waiting on Redis again").hasSize(3);
        }
        assertThat(apps.unacked()).isZero();

        apps.worker(apps.app(), 1, false, DispatchOptions.defaults());
        for (int i = 1; i <= 3; i++) {
            assertThat(((Number) waiting.get(i - 1).get(RedisApps.WAIT)).intValue()).isEqualTo(2 * i);
        }
    }

    /**
     * A second SIGINT stops the worker cold: the running late-ack task is interrupted and not acknowledged, and its
     * message is back on its Redis list once the worker exits, for another worker to run; nothing is stored for it
     * after its STARTED.
     */
    @Test
    void secondSigintStopsColdAndTheInterruptedLateAckTaskRunsOnAnotherWorker() throws Exception {
        trackStarted();
        Celeriac app = apps.app();
        AsyncResult running = app.client().send("demo.sleep", List.of(5), Map.of());
        Child worker = worker("-c", "1", "--acks-late");
        await("the sleep running", () -> running.state() == TaskState.STARTED);

        signal(worker, "INT");
        Thread.sleep(300);
        signal(worker, "INT");

        assertThat(worker.awaitExit()).as("exit code after a cold stop by SIGINT").isEqualTo(130);
        assertThat(worker.err()).contains("cold shutdown");
        assertThat(running.state()).as("interrupted, nothing stored after STARTED").isEqualTo(TaskState.STARTED);
        assertThat(apps.queued("celery")).as("back on its list").isEqualTo(1);
        assertThat(apps.unacked()).isZero();

        apps.worker(apps.app(), 1, false, DispatchOptions.defaults());
        assertThat(((Number) running.get(RedisApps.WAIT)).intValue()).isEqualTo(5);
    }

    private void trackStarted() throws Exception {
        Files.writeString(dir.resolve("celeriac.properties"), "task_track_started=true\n", StandardCharsets.UTF_8);
    }

    private static void signal(Child child, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(child.process().pid())).start();
        assertThat(kill.waitFor()).as("kill -%s", name).isZero();
    }
}
