package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.CeleriacClient;
import org.celeriac.config.Settings;
import org.celeriac.discovery.ServiceLoaderCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pools a worker runs tasks on, how it shares a queue with other workers, and how it stops: on the in-memory
 * broker and backend, each app another connection to them as another process would have.
 */
@Timeout(60)
class PoolTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ServiceLoaderCatalog plugins = new ServiceLoaderCatalog();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final String broker = "memory://" + UUID.randomUUID();
    private final String key = UUID.randomUUID().toString();
    private Celeriac app;
    private CeleriacClient client;

    @BeforeEach
    void openApp() {
        app = app();
        client = app.client();
    }

    @AfterEach
    void closeAll() throws Exception {
        PoolTasks.release(key).countDown();
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private Celeriac app() {
        Map<String, String> all = new HashMap<>();
        all.put(Settings.BROKER_URL, broker);
        all.put(Settings.RESULT_BACKEND, broker);
        Celeriac a = Celeriac.open(Settings.of(all), plugins);
        a.tasks().register(PoolTasks.class);
        open.add(a);
        return a;
    }

    private Worker startWorker(Celeriac on, int concurrency, DispatchOptions dispatch) {
        Worker w = on.worker(on.workerOptions().withConcurrency(concurrency), dispatch);
        open.add(w);
        w.start();
        return w;
    }

    private static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition still false after %s", WAIT).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private AsyncResult hold() {
        return client.send("p.hold", List.of(key), Map.of());
    }

    @Test
    void soloPoolRunsOneTaskAtATimeWhateverTheConcurrency() throws Exception {
        Worker w = startWorker(app, 4, DispatchOptions.defaults().withPool(DispatchOptions.Pool.SOLO));
        List<AsyncResult> sent = List.of(hold(), hold(), hold());
        waitUntil(() -> PoolTasks.started(key) == 1);
        Thread.sleep(300); // room for a second one to start, were it allowed to
        assertThat(PoolTasks.started(key)).isEqualTo(1);
        PoolTasks.release(key).countDown();
        for (AsyncResult r : sent) {
            assertThat(r.get(WAIT)).isEqualTo(key);
        }
        assertThat(PoolTasks.most(key)).isEqualTo(1);
        assertThat(w.poolSize()).isEqualTo(1);
    }

    @Test
    void virtualPoolRunsTasksOnVirtualThreadsFromJava21AndIsRefusedBefore() throws Exception {
        DispatchOptions virtual = DispatchOptions.defaults().withPool(DispatchOptions.Pool.VIRTUAL);
        if (Runtime.version().feature() < 21) {
            assertThatThrownBy(() -> app.worker(app.workerOptions(), virtual))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Java 21");
            return;
        }
        startWorker(app, 2, virtual);
        assertThat(client.send("p.where", List.of(key), Map.of()).get(WAIT)).isEqualTo(true);
        List<AsyncResult> sent = List.of(hold(), hold(), hold());
        waitUntil(() -> PoolTasks.started(key) == 2);
        Thread.sleep(300);
        assertThat(PoolTasks.started(key)).as("concurrency bounds the tasks running at once").isEqualTo(2);
        PoolTasks.release(key).countDown();
        for (AsyncResult r : sent) {
            assertThat(r.get(WAIT)).isEqualTo(key);
        }
    }

    @Test
    void taskTakenAheadRunsOnAnIdleThreadNotBehindALongTask() throws Exception {
        startWorker(app, 2, DispatchOptions.defaults());
        AsyncResult slow = hold();
        waitUntil(() -> PoolTasks.started(key) == 1);
        List<AsyncResult> quick = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            quick.add(client.send("p.where", List.of(key + i), Map.of()));
        }
        for (AsyncResult r : quick) {
            r.get(WAIT);
        }
        assertThat(slow.ready()).as("the long task still runs while the others finished").isFalse();
    }

    @Test
    void withPrefetchDisabledABusyWorkerLeavesTheQueueToAnIdleOne() throws Exception {
        Worker busy = startWorker(app, 1, DispatchOptions.defaults().withDisablePrefetch(true));
        AsyncResult slow = hold();
        waitUntil(() -> PoolTasks.started(key) == 1);
        List<AsyncResult> quick = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            quick.add(client.send("p.where", List.of(key + i), Map.of()));
        }
        Thread.sleep(300); // room for the busy worker to take them, were it allowed to
        Worker idle = startWorker(app(), 1, DispatchOptions.defaults());
        for (AsyncResult r : quick) {
            r.get(WAIT);
        }
        assertThat(idle.processed()).isEqualTo(3);
        assertThat(busy.processed()).as("only the long task's early ack").isEqualTo(1);
        assertThat(slow.ready()).isFalse();
    }

    @Test
    void autoscaledPoolGrowsWhileTasksWaitAndShrinksAfterTheKeepalive() throws Exception {
        Worker w = startWorker(app, 8, DispatchOptions.defaults()
                .withAutoscale(new DispatchOptions.Autoscale(3, 1, Duration.ofMillis(500))));
        assertThat(w.poolSize()).isEqualTo(1);
        List<AsyncResult> sent = List.of(hold(), hold(), hold(), hold());
        waitUntil(() -> PoolTasks.started(key) == 3);
        assertThat(w.poolSize()).isEqualTo(3);
        Thread.sleep(300);
        assertThat(PoolTasks.most(key)).as("never more than the maximum").isEqualTo(3);
        PoolTasks.release(key).countDown();
        for (AsyncResult r : sent) {
            assertThat(r.get(WAIT)).isEqualTo(key);
        }
        waitUntil(() -> w.poolSize() == 1);
    }

    @Test
    void workerTakesNoMessageWhileTheHeapIsAboveItsShare() throws Exception {
        double[] heap = {0.9};
        Worker w = new Worker(app.transport(), app.backend(), app.tasks(), plugins,
                app.workerOptions().withConcurrency(2), DispatchOptions.defaults().withMaxMemoryPercent(50),
                () -> heap[0]);
        open.add(w);
        w.start();
        AsyncResult r = client.send("p.where", List.of(key), Map.of());
        Thread.sleep(1500);
        assertThat(r.ready()).as("held on the broker while memory is short").isFalse();
        heap[0] = 0.2;
        r.get(WAIT);
    }

    @Test
    void coldShutdownLeavesARunningLateAckTaskForAnotherWorker() throws Exception {
        Celeriac first = app();
        Worker w = startWorker(first, 1, DispatchOptions.defaults());
        AsyncResult r = client.send("p.hold_late", List.of(key), Map.of());
        waitUntil(() -> PoolTasks.started(key) == 1);
        Thread warm = new Thread(w::stop);
        warm.start();
        Thread.sleep(200);
        w.stopNow();
        warm.join(5_000);
        assertThat(warm.isAlive()).as("the warm stop ended by the cold one").isFalse();
        assertThat(r.ready()).as("no result for the interrupted task").isFalse();
        first.close(); // its connection closes: the unacked message goes back to the queue
        startWorker(app, 1, DispatchOptions.defaults());
        waitUntil(() -> PoolTasks.started(key) == 2);
        PoolTasks.release(key).countDown();
        assertThat(r.get(WAIT)).isEqualTo(key);
    }
}
