package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.celeriac.itests.WorkerCrashContract.await;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.config.Settings;
import org.celeriac.itests.RabbitMqServers.QueueCounts;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.Jedis;

/**
 * A RabbitMQ node of the test's own stopped (rabbitmqctl stop) and started again on the same port and data under a
 * {@code celeriac worker} draining late-ack tasks: the worker reconnects by itself, every task completes with its
 * value, and nothing is left on the queue or unacked. The queue is durable and the messages persistent, so the
 * tasks still waiting survive the restart; those the worker held unacked come again. Results on Redis.
 */
class AmqpRestartTest {
    private static final String READY = "Stop with Ctrl-C";
    /**
     * 150 ms and more each, about 13 s of work on 4 threads: the node goes down while most still wait, even if
     * stopping it takes seconds (rabbitmqctl starts a VM of its own).
     */
    private static final SleepTasks TASKS = new SleepTasks(350, i -> 0.15 + i / 100_000.0);

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
    void workerCompletesEveryLateAckTaskAcrossARabbitMqRestart() throws Exception {
        RabbitMqServers.Server node = servers.rabbitMq(dir.resolve("rabbitmq"));
        RedisServers.Server results = servers.redis(dir.resolve("redis"), false);
        String broker = node.url();
        String backend = results.url(1);
        try (Celeriac app = Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, broker,
                Settings.RESULT_BACKEND, backend)));
             Jedis stored = results.client()) {
            stored.select(1);
            List<AsyncResult> sent = TASKS.send(app.client());
            celeriac.start(dir, "worker", "--acks-late", "-c", "4", "--broker", broker, "--backend", backend)
                    .awaitOutput(READY);

            await("results before the stop", stored::dbSize, n -> n >= TASKS.count() / 10);
            node.stop();
            long whenStopped = stored.dbSize();
            System.out.printf("RabbitMQ restart: %d of %d results stored when the node had stopped%n", whenStopped,
                    TASKS.count());
            node.start(); // down for as long as it boots, seconds
            // Else the worker ran everything before the node went down, and this test proved nothing.
            assertThat(whenStopped).as("results when the node had stopped").isLessThan(TASKS.count());

            await("results after the restart", stored::dbSize, n -> n == TASKS.count());
            TASKS.assertAllSucceeded(sent);
            // acks go out after the results are stored
            await("messages left on the queue or unacked", () -> messagesLeft(node), n -> n == 0);
        }
    }

    /** Messages on Celery's default queue, waiting or unacked; -1 while the node cannot tell. */
    private static long messagesLeft(RabbitMqServers.Server node) {
        try {
            QueueCounts celery = node.queues().get("celery");
            return celery == null ? -1 : celery.messages() + celery.unacked();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        } catch (AssertionError e) {
            return -1;
        }
    }
}
