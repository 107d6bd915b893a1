package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.celeriac.itests.RedisApps.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.itests.CeleriacProcesses.Child;
import org.celeriac.itests.CeleriacProcesses.Finished;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.worker.DispatchOptions;
import org.celeriac.worker.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.Jedis;

/**
 * The pools on a real Redis: autoscaling (in process, and {@code --autoscale} on a worker process), the virtual
 * pool (refused before Java 21, in process and by {@code celeriac worker -P virtual}; run by a worker process on a
 * JDK 21 or later when one is installed), and the memory guard, which keeps messages on Redis while the heap is
 * fuller than {@code worker_max_memory_percent}. Tasks side by side are seen as STARTED at the same moment.
 */
@Timeout(180)
class RedisPoolTest {
    private static final Duration WAIT = RedisApps.WAIT;
    private static final String READY = CeleryInteropContract.CELERIAC_READY;
    /** A result's state as Celery stores it on Redis. */
    private static final Pattern STATUS = Pattern.compile("\"status\":\\s*\"(\\w+)\"");

    @RegisterExtension
    @Order(1)
    static final TestRedis REDIS = new TestRedis();

    @RegisterExtension
    @Order(2)
    final RedisApps apps = new RedisApps(REDIS, OptionTasks.class);

    @RegisterExtension
    @Order(3)
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @TempDir
    Path dir;

    /** Held by the memory guard's test: the heap it fills. */
    private byte[][] ballast;

    @AfterEach
    void release() {
        OptionTasks.releaseAll();
        ballast = null;
    }

    private List<AsyncResult> holds(Celeriac app, String key, int n) {
        List<AsyncResult> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sent.add(app.client().send("o.hold", List.of(key), Map.of()));
        }
        return sent;
    }

    /**
     * How many of these tasks are in {@code state} at one moment: one MGET of their results on Redis, so that a task
     * seen STARTED is not one that finished while the others were read.
     */
    private static long count(List<AsyncResult> sent, TaskState state) {
        try (Jedis j = REDIS.client(1)) {
            return j.mget(sent.stream().map(r -> "celery-task-meta-" + r.id()).toArray(String[]::new)).stream()
                    .filter(v -> v != null
                            && STATUS.matcher(v).results().anyMatch(m -> m.group(1).equals(state.name())))
                    .count();
        }
    }

    // --- autoscale

    @Test
    void autoscaledPoolGrowsToItsMaximumWhileTasksWaitAndShrinksBackAfterTheKeepalive() throws Exception {
        Celeriac app = apps.app();
        Worker w = apps.worker(app, app.workerOptions().withConcurrency(8),
                DispatchOptions.defaults().withAutoscale(new DispatchOptions.Autoscale(3, 1, Duration.ofSeconds(1))));
        assertThat(w.poolSize()).isEqualTo(1);
        String key = UUID.randomUUID().toString();

        List<AsyncResult> sent = holds(app, key, 4);

        await("three side by side", () -> OptionTasks.running(key) == 3);
        assertThat(w.poolSize()).isEqualTo(3);
        Thread.sleep(300); // room for a fourth to start, were it allowed to
        assertThat(OptionTasks.most(key)).as("never more than the maximum").isEqualTo(3);
        OptionTasks.release(key).countDown();
        for (AsyncResult r : sent) {
            assertThat(r.get(WAIT)).isEqualTo(key);
        }
        await("the pool back to its minimum", () -> w.poolSize() == 1);
        await("every message acked", () -> apps.unacked() == 0 && apps.queued("celery") == 0);
    }

    /** {@code --autoscale 3,1}: from one thread, three tasks run side by side, never four. */
    @Test
    void autoscaleFlagGrowsAWorkerProcessPoolBeyondItsMinimum() throws Exception {
        trackStarted();
        Child worker = celeriac.start(dir, "worker", "--broker", apps.brokerUrl(), "--backend", apps.backendUrl(),
                "--autoscale", "3,1");
        worker.awaitOutput(READY);
        assertThat(worker.out()).contains("concurrency: autoscale 3,1");
        Celeriac app = apps.app();
        List<AsyncResult> sent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sent.add(app.client().send("demo.sleep", List.of(4), Map.of()));
        }

        long most = 0;
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (count(sent, TaskState.SUCCESS) < sent.size() && System.nanoTime() < deadline) {
            most = Math.max(most, count(sent, TaskState.STARTED));
            Thread.sleep(20);
        }
        for (AsyncResult r : sent) {
            assertThat(((Number) r.get(WAIT)).intValue()).isEqualTo(4);
        }
        assertThat(most).as("tasks seen STARTED at once").isEqualTo(3);
        // Growth may come in one step or several, as the prefetched tasks arrive.
        assertThat(worker.err()).containsPattern("Autoscale: pool grown from [12] to 3 threads");
    }

    // --- virtual threads

    @Test
    void virtualPoolIsRefusedBeforeJava21WithAClearError() throws Exception {
        assumeTrue(Runtime.version().feature() < 21, "this JVM is Java 21 or later: it runs the virtual pool");
        Celeriac app = apps.app();
        DispatchOptions virtual = DispatchOptions.defaults().withPool(DispatchOptions.Pool.VIRTUAL);
        String refusal = "the virtual pool needs Java 21 or later; this is Java " + Runtime.version().feature()
                + " (use --pool threads)";
        assertThatThrownBy(() -> app.worker(app.workerOptions(), virtual))
                .isInstanceOf(IllegalArgumentException.class).hasMessage(refusal);

        Finished run = celeriac.run(dir, "worker", "--broker", apps.brokerUrl(), "--backend", apps.backendUrl(),
                "-P", "virtual");

        assertThat(run.exitCode()).as("exit code: a usage error").isEqualTo(2);
        assertThat(run.err()).contains(refusal);
        assertThat(run.out()).doesNotContain(READY);
    }

    /**
     * {@code -P virtual -c 4} on a JDK 21 or later (the test's own, or one under {@code /usr/lib/jvm}): four tasks
     * run side by side, each on a virtual thread (the log names them {@code celeriac-task-N}, platform pool threads
     * being {@code celeriac-pool-N}), and complete.
     */
    @Test
    void virtualPoolOfAWorkerProcessOnJava21RunsTasksSideBySide() throws Exception {
        Path java = CeleriacProcesses.javaAtLeast(21).orElse(null);
        assumeTrue(java != null, "no JDK 21 or later here (this JVM, /usr/lib/jvm)");
        trackStarted();
        Child worker = celeriac.start(java, dir, "worker", "--broker", apps.brokerUrl(), "--backend", apps.backendUrl(),
                "-P", "virtual", "-c", "4");
        worker.awaitOutput(READY);
        assertThat(worker.out()).contains("pool:        virtual");
        Celeriac app = apps.app();
        List<AsyncResult> sent = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sent.add(app.client().send("demo.sleep", List.of(3), Map.of()));
        }

        await("four STARTED at once", () -> count(sent, TaskState.STARTED) == 4);
        for (AsyncResult r : sent) {
            assertThat(((Number) r.get(WAIT)).intValue()).isEqualTo(3);
        }
        // a result is stored before its worker logs it
        await("the worker's log", () -> worker.err().split("\\] succeeded", -1).length - 1 == 4);
        assertThat(worker.err().lines().filter(l -> l.contains("Task demo.sleep[")).toList()).hasSize(4)
                .allSatisfy(l -> assertThat(l).contains("[celeriac-task-"));
        assertThat(worker.err()).doesNotContain("[celeriac-pool-");
    }

    private void trackStarted() throws Exception {
        Files.writeString(dir.resolve("celeriac.properties"), "task_track_started=true\n", StandardCharsets.UTF_8);
    }

    // --- memory guard

    /**
     * The guard reads this JVM's heap after garbage collection, and the worker runs in it: the test fills the heap
     * itself, with an array it holds, rather than faking what the guard reads. The threshold is set two points
     * above what is live before (so that what the test and its worker add meanwhile does not cross it), the
     * ballast one point above the threshold; a full collection ({@code System.gc()}) makes the guard see each
     * change. While the heap is above its share the task stays on Redis, not taken, and runs once it falls back.
     */
    @Test
    void workerLeavesTasksOnRedisWhileItsHeapIsAboveItsShareAndTakesThemOnceItFalls() throws Exception {
        double live = heapAfterFullGc();
        int percent = (int) Math.floor(live * 100) + 2;
        assumeTrue(percent <= 90, "the heap is too full already for this test: " + Math.round(live * 100) + "%");
        long bytes = (long) ((percent + 1 - live * 100) / 100 * Runtime.getRuntime().maxMemory());
        int chunk = 4 << 20;
        ballast = new byte[(int) (bytes / chunk) + 1][];
        for (int i = 0; i < ballast.length; i++) {
            ballast[i] = new byte[chunk];
        }
        double full = heapAfterFullGc();
        assumeTrue(full * 100 > percent, "System.gc() did not show the ballast: " + full);
        Celeriac app = apps.app();
        apps.worker(app, 2, false, DispatchOptions.defaults().withMaxMemoryPercent(percent));

        AsyncResult r = app.client().send("demo.add", List.of(2, 3), Map.of());
        Thread.sleep(2_500); // two checks of the heap, and fetches they would allow

        assertThat(apps.queued("celery")).as("the task left on Redis").isEqualTo(1);
        assertThat(apps.unacked()).isZero();
        assertThat(r.state()).isEqualTo(TaskState.PENDING);
        ballast = null;
        assertThat(heapAfterFullGc() * 100).as("the heap once the ballast is dropped").isLessThan(percent);
        assertThat(((Number) r.get(WAIT)).intValue()).isEqualTo(5);
    }

    /**
     * A full collection, then the heap's fill read as the memory guard reads it (its {@code heapAfterGc}, which this
     * package cannot call): each heap pool's use after its last collection, over the heap's maximum.
     */
    private static double heapAfterFullGc() {
        System.gc();
        long used = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() != MemoryType.HEAP || !p.isValid()) {
                continue;
            }
            MemoryUsage afterGc = p.isCollectionUsageThresholdSupported() ? p.getCollectionUsage() : null;
            used += afterGc != null ? afterGc.getUsed() : p.getUsage().getUsed();
        }
        return (double) used / Runtime.getRuntime().maxMemory();
    }
}
