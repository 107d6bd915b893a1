package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.celeriac.itests.RedisWorkerCrashTest.await;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.config.Settings;
import org.celeriac.itests.CeleriacProcesses.Child;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.Jedis;

/**
 * A {@code celeriac worker} on RabbitMQ killed with SIGKILL in the middle of a stream of late-ack tasks: RabbitMQ
 * gives back what it held unacked when its connection drops, and a second worker finishes every task. On the node
 * of {@code CELERIAC_TEST_AMQP_URL}, on a queue of the test's own, deleted afterwards; results on a Redis of its own.
 */
class AmqpWorkerCrashTest {
    private static final String READY = "Stop with Ctrl-C";
    /** 0 to 12 ms each: long enough to kill the worker mid-stream. */
    private static final SleepTasks TASKS = new SleepTasks(600, i -> i / 50_000.0);

    // Registered first, so that after each test its server stops last, once the processes using it are gone.
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
        String broker = RabbitMqServers.environmentUrl();
        String queue = "itest.crash." + UUID.randomUUID();
        RedisServers.Server results = redis.start(dir.resolve("redis"), false);
        String backend = results.url(1);
        String[] worker = {"worker", "--acks-late", "-c", "4", "-Q", queue, "--broker", broker, "--backend", backend};

        try (Celeriac app = Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, broker,
                Settings.RESULT_BACKEND, backend, Settings.TASK_DEFAULT_QUEUE, queue)));
             Jedis stored = results.client()) {
            stored.select(1);
            List<AsyncResult> sent = TASKS.send(app.client());

            Child first = celeriac.start(dir, worker);
            first.awaitOutput(READY);
            await("results before the kill", stored::dbSize, n -> n >= TASKS.count() / 4);
            // Neither waiting on the queue nor done: held by the worker, unacked. Read in this order, the count
            // can only come out too low: a message counted waiting may be done by the time results are counted.
            long waiting = RabbitMqServers.passiveDeclare(broker, queue).getMessageCount();
            long done = stored.dbSize();
            first.process().destroyForcibly();
            first.awaitExit();

            assertThat(TASKS.count() - waiting - done).as("tasks the worker held unacked just before the kill").isPositive();
            assertThat(stored.dbSize()).as("results when killed").isLessThan(TASKS.count());

            Child second = celeriac.start(dir, worker);
            second.awaitOutput(READY);
            await("results after the second worker started", stored::dbSize, n -> n == TASKS.count());

            TASKS.assertAllSucceeded(sent);
            // warm: it acks what it ran; whatever it left unacked would be waiting on the queue again
            second.process().destroy();
            assertThat(second.awaitExit()).as(second.err()).isZero();
            assertThat(RabbitMqServers.passiveDeclare(broker, queue).getMessageCount())
                    .as("messages left on the queue, waiting or unacked").isZero();
        } finally {
            RabbitMqServers.deleteQueue(broker, queue);
        }
    }
}
