package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.SendOptions;
import org.celeriac.client.TaskFailedException;
import org.celeriac.config.Settings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.Jedis;

/**
 * Time limits and retries of the demo tasks on a {@code celeriac worker} process on Redis, with the time-limit flags
 * of Celery's worker: a worker-wide soft limit, a call's hard limit abandoning a task that ignores interrupts while
 * the worker's one thread is replaced, and retries ending in SUCCESS.
 */
class RedisTaskExecutionTest {
    static final Duration WAIT = CeleriacProcesses.WAIT;

    @RegisterExtension
    static final TestRedis REDIS = new TestRedis();

    @RegisterExtension
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @TempDir
    Path dir;

    @BeforeEach
    void clear() {
        REDIS.flush(0, 1);
    }

    private static TaskFailedException failure(AsyncResult r) throws Exception {
        try {
            throw new AssertionError("expected a failure, got " + r.get(WAIT));
        } catch (TaskFailedException e) {
            return e;
        }
    }

    @Test
    void workerTimeLimitFlagsAndCallLimitsStopTasksAndTheWorkerGoesOn() throws Exception {
        CeleriacProcesses.Child worker = celeriac.start(dir, "worker", "--broker", REDIS.url(0), "--backend",
                REDIS.url(1), "-c", "1", "--soft-time-limit", "0.5", "--time-limit", "30", "--acks-late");
        worker.awaitOutput(CeleryInteropContract.CELERIAC_READY);

        try (Celeriac app = Celeriac.open(
                Settings.of(Map.of(Settings.BROKER_URL, REDIS.url(0), Settings.RESULT_BACKEND, REDIS.url(1))))) {
            TaskFailedException soft = failure(app.client().send("demo.sleep", List.of(30), Map.of()));
            assertThat(soft.exception().type()).isEqualTo("SoftTimeLimitExceeded");
            assertThat(soft.exception().module()).isEqualTo("billiard.exceptions");

            TaskFailedException hard = failure(app.client().send("demo.uninterruptible", List.of(5), Map.of(),
                    SendOptions.defaults().timeLimits(1.0, 10.0)));
            assertThat(hard.exception().type()).isEqualTo("TimeLimitExceeded");
            assertThat(hard.exception().module()).isEqualTo("billiard.exceptions");
            assertThat(hard.exception().message()).isEqualTo("1");

            // The one pool thread is still stuck in demo.uninterruptible: a replacement runs these.
            assertThat(app.client().send("demo.flaky", List.of(3), Map.of()).get(WAIT)).isEqualTo(3);
            assertThat(((Number) app.client().send("demo.add", List.of(2, 3), Map.of()).get(WAIT)).intValue())
                    .isEqualTo(5);
        }
        // Late acks, the timed-out task's too, as Celery acks a task that timed out: nothing is left unacked.
        long deadline = System.nanoTime() + WAIT.toNanos();
        long unacked;
        try (Jedis j = REDIS.client(0)) {
            while ((unacked = j.hlen("unacked")) > 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        }
        assertThat(unacked).as("messages left unacked").isZero();
        assertThat(worker.err()).contains("Hard time limit (1s) exceeded for demo.uninterruptible[");
    }
}
