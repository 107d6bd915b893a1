package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import java.util.function.LongSupplier;

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

/** A {@code celeriac worker} on Redis killed with SIGKILL in the middle of a stream of late-ack tasks. */
class RedisWorkerCrashTest {
    private static final String READY = "Stop with Ctrl-C";
    /** 0 to 10 ms each: long enough to kill the worker mid-stream. */
    private static final SleepTasks TASKS = new SleepTasks(1_000, i -> i / 100_000.0);

    // Registered first, so that after each test its servers stop last, once the processes using them are gone.
    @RegisterExtension
    @Order(1)
    final RedisServers redis = new RedisServers();

    @RegisterExtension
    @Order(2)
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @TempDir
    Path dir;

    @Test
    void noLateAckTaskIsLostWhenTheWorkerIsKilled() throws Exception {
        Server server = redis.start(dir.resolve("redis"), false);
        // A short visibility timeout, so that what the killed worker held comes back within seconds.
        String broker = server.url(0) + "?visibility_timeout=5";
        String backend = server.url(1);
        String[] worker = {"worker", "--acks-late", "-c", "4", "--broker", broker, "--backend", backend};

        try (Celeriac app = Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, broker,
                Settings.RESULT_BACKEND, backend)));
             Jedis results = server.client();
             Jedis queues = server.client()) {
            results.select(1);
            List<AsyncResult> sent = TASKS.send(app.client());

            Child first = celeriac.start(dir, worker);
            first.awaitOutput(READY);
            await("results before the kill", results::dbSize, n -> n >= TASKS.count() / 4);
            first.process().destroyForcibly();
            first.awaitExit();

            assertThat(results.dbSize()).as("results when killed").isLessThan(TASKS.count());
            assertThat(queues.hlen("unacked")).as("messages the killed worker held, unacked").isPositive();

            celeriac.start(dir, worker).awaitOutput(READY);
            await("results after the second worker started", results::dbSize, n -> n == TASKS.count());

            TASKS.assertAllSucceeded(sent);
            await("messages left unacked", () -> queues.hlen("unacked"), n -> n == 0);
        }
    }

    /** Polls {@code value} until {@code done}; fails after the processes' wait. */
    static void await(String what, LongSupplier value, LongPredicate done) throws InterruptedException {
        long deadline = System.nanoTime() + CeleriacProcesses.WAIT.toNanos();
        long now;
        while (!done.test(now = value.getAsLong())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": still " + now + " after " + CeleriacProcesses.WAIT);
            }
            Thread.sleep(20);
        }
    }
}
