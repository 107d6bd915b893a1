package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.celeriac.itests.WorkerCrashContract.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.config.Settings;
import org.celeriac.itests.CeleriacProcesses.Child;
import org.celeriac.itests.RedisServers.Server;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.Jedis;

/**
 * The result backend, a Redis of its own, down for a while under a draining worker with late acks (the broker, another
 * Redis, stays up): no task is acked with its result dropped. Each result is stored once the backend is back, or its
 * message comes back and the task runs again.
 */
class RedisBackendOutageTest {
    private static final String READY = "Stop with Ctrl-C";
    private static final SleepTasks TASKS = new SleepTasks(2_000, i -> (i % 5) / 1000.0);
    private static final Duration DOWN = Duration.ofSeconds(4);

    @RegisterExtension
    @Order(1)
    final TestServers servers = new TestServers();

    @RegisterExtension
    @Order(2)
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @TempDir
    Path dir;

    @Test
    void noResultIsDroppedWhileTheBackendIsDown() throws Exception {
        Server brokerServer = servers.redis(dir.resolve("broker"), false);
        Server backendServer = servers.redis(dir.resolve("backend"), true);
        String broker = brokerServer.url(0) + "?visibility_timeout=5";
        String backend = backendServer.url(0);
        Map<String, String> settings = Map.of(Settings.BROKER_URL, broker, Settings.RESULT_BACKEND, backend);
        List<AsyncResult> sent;
        try (Celeriac app = Celeriac.open(Settings.of(settings))) {
            sent = TASKS.send(app.client());
        }
        Child worker = celeriac.start(dir, "worker", "--acks-late", "-c", "4", "--broker", broker, "--backend",
                backend);
        worker.awaitOutput(READY);

        await("results before the backend stops", () -> stored(backendServer), n -> n >= TASKS.count() / 4);
        backendServer.stop();
        Thread.sleep(DOWN.toMillis());
        backendServer.start();
        await("results after the backend is back", () -> stored(backendServer), n -> n == TASKS.count());
        worker.process().destroy();
        assertThat(worker.awaitExit()).as(worker.err()).isZero();

        try (Celeriac app = Celeriac.open(Settings.of(settings))) {
            TASKS.assertAllSucceeded(sent.stream().map(r -> app.client().result(r.id())).toList());
        }
        try (Jedis queues = brokerServer.client()) {
            assertThat(queues.llen("celery") + queues.hlen("unacked")).as("messages left, waiting or unacked")
                    .isZero();
        }
    }

    private static long stored(Server server) {
        try (Jedis j = server.client()) {
            return j.dbSize();
        } catch (RuntimeException e) {
            return -1; // down
        }
    }
}
