package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.celeriac.itests.WorkerCrashContract.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.config.Settings;
import org.celeriac.itests.RedisServers.Server;
import org.celeriac.spi.backend.BackendException;
import org.celeriac.spi.transport.TransportException;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.Jedis;

/**
 * A persistent Redis (append-only file, fsync on every write) stopped and started again under a draining
 * {@code celeriac worker}: the worker reconnects by itself and every task completes; while Redis is down, clients
 * fail fast with an error that names it instead of hanging.
 */
class RedisRestartTest {
    private static final String READY = "Stop with Ctrl-C";
    private static final SleepTasks TASKS = new SleepTasks(400, i -> 0.005 + i / 100_000.0);
    private static final Duration DOWN = Duration.ofSeconds(3);

    // Registered first, so that after each test its servers stop last, once the processes using them are gone.
    @RegisterExtension
    @Order(1)
    final TestServers servers = new TestServers();

    @RegisterExtension
    @Order(2)
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @TempDir
    Path dir;

    @Test
    void workerCompletesEveryTaskAcrossRedisRestarts() throws Exception {
        Server server = servers.redis(dir.resolve("redis"), true);
        String broker = server.url(0) + "?visibility_timeout=5";
        String backend = server.url(1);
        try (Celeriac app = Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, broker,
                Settings.RESULT_BACKEND, backend)))) {
            List<AsyncResult> sent = TASKS.send(app.client());
            celeriac.start(dir, "worker", "--acks-late", "-c", "4", "--broker", broker, "--backend", backend)
                    .awaitOutput(READY);

            await("results before the stop", () -> stored(server), n -> n >= TASKS.count() / 4);
            server.stop(); // SIGTERM: Redis saves and exits
            long downSince = System.nanoTime();
            clientsFailFast(app, server, sent.get(TASKS.count() - 1));
            Thread.sleep(Math.max(0, DOWN.toMillis() - (System.nanoTime() - downSince) / 1_000_000));
            server.start();

            long before = stored(server);
            await("results after the restart", () -> stored(server), n -> n > before && n >= TASKS.count() / 2);
            server.kill(); // SIGKILL: the append-only file has every write Redis acknowledged
            Thread.sleep(DOWN.toMillis());
            server.start();

            await("results after the second restart", () -> stored(server), n -> n == TASKS.count());
            TASKS.assertAllSucceeded(sent);
            try (Jedis j = server.client()) {
                await("messages left unacked", () -> j.hlen("unacked"), n -> n == 0);
            }
        }
    }

    @Test
    void idleWorkerRunsAndRecordsTheFirstTaskAfterARedisRestart() throws Exception {
        Server server = servers.redis(dir.resolve("redis"), true);
        String broker = server.url(0);
        String backend = server.url(1);
        celeriac.start(dir, "worker", "-c", "2", "--broker", broker, "--backend", backend).awaitOutput(READY);
        try (Celeriac app = Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, broker,
                Settings.RESULT_BACKEND, backend)))) {
            // every connection of the worker's pools is used, then left idle
            List<AsyncResult> warmUp = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                warmUp.add(app.client().send("demo.sleep", List.of(0.2), Map.of()));
            }
            for (AsyncResult r : warmUp) {
                r.get(CeleriacProcesses.WAIT);
            }

            server.stop();
            Thread.sleep(DOWN.toMillis());
            server.start();

            // connections from before the restart are dead: the client, the worker's receive, ack and result
            // store each find that out and use a new one instead of failing (or losing the result)
            AsyncResult r = app.client().send("demo.add", List.of(2, 3), Map.of());
            assertThat(((Number) r.get(CeleriacProcesses.WAIT)).longValue()).isEqualTo(5L);
        }
    }

    /** While Redis is down, sending fails at once and waiting for a result ends within its timeout. */
    private static void clientsFailFast(Celeriac app, Server server, AsyncResult pending) throws Exception {
        long start = System.nanoTime();
        Throwable sendFailure = catchThrowable(() -> app.client().send("demo.add", List.of(1, 2), Map.of()));
        long sendMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(sendFailure).isInstanceOf(TransportException.class)
                .hasMessageContaining("127.0.0.1:" + server.port());
        assertThat(sendMillis).as("ms to fail a send").isLessThan(5_000);

        Duration timeout = Duration.ofSeconds(2);
        start = System.nanoTime();
        Throwable getFailure = catchThrowable(() -> pending.get(timeout));
        long getMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(getFailure).isInstanceOfAny(BackendException.class, TimeoutException.class);
        if (getFailure instanceof BackendException) {
            assertThat(getFailure).hasMessageContaining("127.0.0.1:" + server.port());
        }
        assertThat(getMillis).as("ms to give up waiting for a result").isLessThan(timeout.toMillis() + 3_000);
    }

    /** How many results Redis holds; -1 while it cannot tell. */
    private static long stored(Server server) {
        try (Jedis j = server.client()) {
            j.select(1);
            return j.dbSize();
        } catch (RuntimeException e) {
            return -1;
        }
    }
}
