package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.celeriac.itests.WorkerCrashContract.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.config.Settings;
import org.celeriac.itests.CeleriacProcesses.Child;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A PostgreSQL broker and backend stopped and started again under a draining {@code celeriac worker} with late
 * acks: the worker reconnects by itself, every task completes with its own result, and the tasks run twice (acks
 * that failed while the server was down, so their messages came back after the visibility timeout) are counted
 * and bounded by what the worker holds at once.
 */
class PostgresRestartTest {
    private static final String READY = "Stop with Ctrl-C";
    private static final SleepTasks TASKS = new SleepTasks(2_000, i -> (i % 5) / 1000.0);
    private static final Duration DOWN = Duration.ofSeconds(3);
    private static final int CONCURRENCY = 4;
    private static final Pattern SUCCEEDED = Pattern.compile("Task demo\\.sleep\\[([0-9a-f-]+)\\] succeeded");

    @RegisterExtension
    @Order(1)
    final TestServers servers = new TestServers();

    @RegisterExtension
    @Order(2)
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @TempDir
    Path dir;

    @Test
    void workerCompletesEveryLateAckTaskAcrossAPostgresRestart() throws Exception {
        PostgresServers.Server server = servers.postgres();
        String jdbc = server.url();
        SqlCrashSetup setup = new SqlCrashSetup(jdbc + "&visibility_timeout=5", jdbc, jdbc, () -> { });
        Map<String, String> settings = Map.of(Settings.BROKER_URL, setup.broker(), Settings.RESULT_BACKEND,
                setup.backend(), Settings.TASK_DEFAULT_QUEUE, WorkerCrashContract.queue());
        List<AsyncResult> sent;
        try (Celeriac app = Celeriac.open(Settings.of(settings))) {
            sent = TASKS.send(app.client());
        }
        Child worker = celeriac.start(dir, "worker", "--acks-late", "-c", Integer.toString(CONCURRENCY),
                "-Q", WorkerCrashContract.queue(), "--broker", setup.broker(), "--backend", setup.backend());
        worker.awaitOutput(READY);

        await("results before the stop", setup::storedResults, n -> n >= TASKS.count() / 4);
        server.stop();
        Thread.sleep(DOWN.toMillis());
        server.start();
        await("results after the restart", setup::storedResults, n -> n == TASKS.count());
        worker.process().destroy();
        assertThat(worker.awaitExit()).as(worker.err()).isZero();

        try (Celeriac app = Celeriac.open(Settings.of(settings))) {
            List<AsyncResult> again = sent.stream().map(r -> app.client().result(r.id())).toList();
            TASKS.assertAllSucceeded(again);
        }
        assertThat(setup.leftOnQueue()).as("messages left on the queue, waiting or claimed").isZero();
        Map<String, Integer> runs = new HashMap<>();
        for (Matcher m = SUCCEEDED.matcher(worker.err()); m.find(); ) {
            runs.merge(m.group(1), 1, Integer::sum);
        }
        long duplicates = runs.values().stream().mapToInt(n -> n - 1).sum();
        System.out.printf("PostgresRestartTest: %d tasks sent, %d completed, %d run twice or more, 0 lost%n",
                TASKS.count(), runs.size(), duplicates);
        assertThat(runs).as("tasks the worker logged as succeeded").hasSize(TASKS.count());
        // At most what the worker held when the server went, twice over: its running tasks and those prefetched
        // (the default multiplier, 4 a slot), whose acks could not be written. 7 in the runs so far.
        assertThat(duplicates).as("tasks run more than once").isLessThanOrEqualTo(2L * CONCURRENCY * (1 + 4));
    }
}
