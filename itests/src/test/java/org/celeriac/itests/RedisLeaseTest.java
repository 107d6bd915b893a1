package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.celeriac.itests.WorkerCrashContract.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.SendOptions;
import org.celeriac.config.Settings;
import org.celeriac.itests.CeleriacProcesses.Child;
import org.celeriac.itests.RedisServers.Server;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.Jedis;

/**
 * Messages held longer than Redis's visibility timeout, by two {@code celeriac worker}s on one queue: the holder
 * renews the lease, so the other never gets a restored copy and the task runs once (Celery's kombu#337, celery#3270
 * for ETA tasks and celery#5935 for long late-ack tasks run twice).
 */
class RedisLeaseTest {
    private static final String READY = "Stop with Ctrl-C";
    /** Short, so that a lease not renewed would expire several times over. */
    private static final int VISIBILITY_TIMEOUT_SECONDS = 2;

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
    void etaTaskBeyondTheVisibilityTimeoutRunsOnce() throws Exception {
        Server server = servers.redis(dir.resolve("redis"), false);
        List<Child> workers = startWorkers(server);
        try (Celeriac app = client(server)) {
            AsyncResult r = app.client().send("demo.add", List.of(20, 22), Map.of(),
                    SendOptions.defaults().countdown(Duration.ofSeconds(4 * VISIBILITY_TIMEOUT_SECONDS)));

            assertThat(((Number) r.get(CeleriacProcesses.WAIT)).longValue()).isEqualTo(42L);
            assertRanOnce(server, workers, "demo.add", r.id());
        }
    }

    @Test
    void lateAckTaskRunningBeyondTheVisibilityTimeoutRunsOnce() throws Exception {
        Server server = servers.redis(dir.resolve("redis"), false);
        List<Child> workers = startWorkers(server, "--acks-late");
        try (Celeriac app = client(server)) {
            AsyncResult r = app.client().send("demo.sleep", List.of(4 * VISIBILITY_TIMEOUT_SECONDS), Map.of());

            assertThat(((Number) r.get(CeleriacProcesses.WAIT)).longValue()).isEqualTo(4L * VISIBILITY_TIMEOUT_SECONDS);
            assertRanOnce(server, workers, "demo.sleep", r.id());
        }
    }

    /** Two workers on the default queue, started at once. */
    private List<Child> startWorkers(Server server, String... more) throws InterruptedException {
        List<Child> workers = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            List<String> args = new ArrayList<>(List.of("worker", "-c", "2", "-n", "w" + i + "@lease",
                    "--broker", broker(server), "--backend", server.url(1)));
            args.addAll(List.of(more));
            workers.add(celeriac.start(dir, args.toArray(String[]::new)));
        }
        for (Child w : workers) {
            w.awaitOutput(READY);
        }
        return workers;
    }

    /**
     * Once nothing is queued or unacked any more (a restored copy would be either until it ran), exactly one
     * worker logged one run, and no worker restored a message.
     */
    private static void assertRanOnce(Server server, List<Child> workers, String task, String id)
            throws Exception {
        try (Jedis j = server.client()) {
            await("messages queued or unacked", () -> j.llen("celery") + j.hlen("unacked"), n -> n == 0);
        }
        // an early-ack copy is acked as it starts: give a copy that started a moment to log
        Thread.sleep(1_000);
        String succeeded = "Task " + task + "[" + id + "] succeeded";
        long runs = workers.stream().mapToLong(w -> count(w.err(), succeeded)).sum();
        assertThat(runs).as("runs of %s", id).isEqualTo(1);
        assertThat(workers).allSatisfy(w -> assertThat(w.err()).doesNotContain("Restored"));
    }

    private static long count(String text, String part) {
        long n = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            n++;
        }
        return n;
    }

    private static String broker(Server server) {
        return server.url(0) + "?visibility_timeout=" + VISIBILITY_TIMEOUT_SECONDS;
    }

    private static Celeriac client(Server server) {
        return Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, broker(server),
                Settings.RESULT_BACKEND, server.url(1))));
    }
}
