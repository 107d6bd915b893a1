package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.SendOptions;
import org.celeriac.config.Settings;
import org.celeriac.itests.RabbitMqServers.Server;
import org.celeriac.task.Task;
import org.celeriac.worker.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * RabbitMQ closes the channel of a consumer that holds a delivery unacked past its {@code consumer_timeout}, which
 * takes down Celery workers holding ETA tasks (celery#6760). Here a node of the test's own has a 3 s timeout,
 * checked every second, and a task waits 8 s for its countdown.
 */
class AmqpConsumerTimeoutTest {
    private static final Duration COUNTDOWN = Duration.ofSeconds(8);
    private static final String TIMED_OUT = "delivery acknowledgement on channel";
    /** Runs of {@code timeout.count} by key; each test uses a fresh key. */
    static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

    @RegisterExtension
    final TestServers servers = new TestServers();

    @TempDir
    Path dir;

    /** The task the worker runs: counts its runs. */
    public static final class CountingTasks {
        @Task(name = "timeout.count")
        public int count(String key) {
            return RUNS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }
    }

    @Test
    void etaTaskWaitingLongerThanTheConsumerTimeoutRunsOnceOnTime() throws Exception {
        Path node = nodeWithConsumerTimeout();
        Server server = servers.rabbitMq(node);

        Instant sent = Instant.now();
        String key = runOneTaskWithCountdown(server, "3");

        assertThat(Duration.between(sent, Instant.now())).isGreaterThanOrEqualTo(COUNTDOWN);
        Thread.sleep(500); // a second run, if any, would have started by now
        assertThat(RUNS.get(key).get()).as("runs").isEqualTo(1);
        assertThat(log(node)).as("the broker's log").doesNotContain(TIMED_OUT);
    }

    /**
     * The same with the hand-back turned off: the broker closes the channel, as for Celery (the test's control). The
     * task still completes, maybe twice: the worker still holds the delivery of the closed channel when the broker
     * gives the message out again.
     */
    @Test
    void withoutHandingBackTheBrokerClosesTheConsumersChannel() throws Exception {
        Path node = nodeWithConsumerTimeout();
        Server server = servers.rabbitMq(node);

        runOneTaskWithCountdown(server, "0");

        assertThat(log(node)).as("the broker's log").contains(TIMED_OUT);
    }

    /** Sends one countdown task to an in-process worker and waits for its result; returns the task's key. */
    private String runOneTaskWithCountdown(Server server, String consumerTimeoutOption) throws Exception {
        String key = UUID.randomUUID().toString();
        Settings settings = Settings.of(Map.of(
                Settings.BROKER_URL, server.url() + "?consumer_timeout=" + consumerTimeoutOption,
                Settings.RESULT_BACKEND, "rpc://"));
        try (Celeriac app = Celeriac.open(settings)) {
            app.tasks().register(CountingTasks.class);
            Worker worker = app.worker(app.workerOptions().withConcurrency(2));
            worker.start();
            AsyncResult r = app.client().send("timeout.count", List.of(key), Map.of(),
                    SendOptions.defaults().countdown(COUNTDOWN));

            assertThat(r.get(CeleriacProcesses.WAIT)).isNotNull();
        }
        return key;
    }

    /** A node directory whose configuration, kept by .ci/rabbitmq.sh, sets a 3 s consumer timeout checked each second. */
    private Path nodeWithConsumerTimeout() throws IOException {
        Path node = dir.resolve("rabbitmq");
        Files.createDirectories(node);
        // no listener here: the script's environment gives the node its loopback address and port
        Files.writeString(node.resolve("rabbitmq.conf"), "loopback_users.guest = true\nconsumer_timeout = 3000\n");
        Files.writeString(node.resolve("advanced.config"), "[{rabbit, [{channel_tick_interval, 1000}]}].\n");
        return node;
    }

    private static String log(Path node) throws IOException {
        StringBuilder text = new StringBuilder();
        try (Stream<Path> logs = Files.list(node.resolve("log"))) {
            for (Path f : logs.filter(f -> f.toString().endsWith(".log")).toList()) {
                text.append(Files.readString(f, StandardCharsets.UTF_8));
            }
        }
        return text.toString();
    }
}
