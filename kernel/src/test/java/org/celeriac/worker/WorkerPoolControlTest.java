package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Celery's {@code pool_grow}, {@code pool_shrink} and {@code autoscale} control commands on a running worker. */
@Timeout(60)
class WorkerPoolControlTest extends ControlTestSupport {

    /** A worker taking two messages ahead per thread; the app stops it. */
    private static Worker startWorker(Celeriac app, int concurrency, DispatchOptions dispatch) {
        Worker w = app.worker(app.workerOptions().withConcurrency(concurrency).withPrefetchMultiplier(2), dispatch);
        w.start();
        return w;
    }

    private List<AsyncResult> holds(Celeriac app, int n) {
        List<AsyncResult> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            sent.add(hold(app, key));
        }
        return sent;
    }

    @Test
    void grownPoolRunsMoreTasksAtOnceAndTakesMoreAhead() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 1, DispatchOptions.defaults());
        holds(app, 3);
        waitUntil(() -> PoolTasks.started(key) == 1);

        worker.growPool(2);

        assertThat(worker.poolSize()).isEqualTo(3);
        assertThat(worker.prefetchCount()).isEqualTo(6);
        waitUntil(() -> PoolTasks.started(key) == 3);
    }

    @Test
    void shrunkPoolRunsFewerTasksAtOnceAndNeverHasFewerThanOneThread() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 3, DispatchOptions.defaults());

        worker.shrinkPool(1);
        assertThat(worker.poolSize()).isEqualTo(2);
        assertThat(worker.prefetchCount()).isEqualTo(4);
        worker.shrinkPool(5);

        assertThat(worker.poolSize()).isEqualTo(1);
        assertThat(worker.prefetchCount()).isEqualTo(2);
        List<AsyncResult> sent = holds(app, 3);
        waitUntil(() -> PoolTasks.started(key) == 1);
        PoolTasks.release(key).countDown();
        for (AsyncResult r : sent) {
            assertThat(r.get(WAIT)).isEqualTo(key);
        }
        assertThat(PoolTasks.most(key)).isEqualTo(1);
    }

    @Test
    void growAndShrinkAreRefusedWhileAutoscalingAsCelery5RefusesThem() {
        Celeriac app = app();
        Worker worker = startWorker(app, 1, DispatchOptions.defaults()
                .withAutoscale(new DispatchOptions.Autoscale(4, 2, Duration.ofSeconds(30))));

        assertThatThrownBy(() -> worker.growPool(1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("adjust the autoscale range");
        assertThatThrownBy(() -> worker.shrinkPool(1)).isInstanceOf(IllegalStateException.class);
        assertThat(worker.poolSize()).isEqualTo(2);
    }

    @Test
    void growAndShrinkTakeAtLeastOneThread() {
        Worker worker = startWorker(app(), 2, DispatchOptions.defaults());

        assertThatThrownBy(() -> worker.growPool(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> worker.shrinkPool(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThat(worker.poolSize()).isEqualTo(2);
    }

    @Test
    void soloPoolNeitherGrowsNorAutoscales() {
        Worker worker = startWorker(app(), 1, DispatchOptions.defaults().withPool(DispatchOptions.Pool.SOLO));

        assertThatThrownBy(() -> worker.growPool(1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> worker.autoscale(4, 1)).isInstanceOf(IllegalStateException.class);
        assertThat(worker.poolSize()).isEqualTo(1);
    }

    @Test
    void autoscaleTurnsAutoscalingOnBringingThePoolUpToItsMinimumAndGrowingWithTheWork() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 1, DispatchOptions.defaults());

        worker.autoscale(4, 2);

        assertThat(worker.poolSize()).isEqualTo(2);
        assertThat(worker.prefetchCount()).isEqualTo(4);
        holds(app, 4);
        waitUntil(() -> PoolTasks.started(key) == 4);
        assertThat(worker.poolSize()).isEqualTo(4);
        assertThatThrownBy(() -> worker.growPool(1)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void autoscaleBelowThePoolsSizeShrinksItAtOnce() {
        Worker worker = startWorker(app(), 6, DispatchOptions.defaults());

        worker.autoscale(3, 1);

        assertThat(worker.poolSize()).isEqualTo(3);
        assertThat(worker.prefetchCount()).isEqualTo(6);
    }

    @Test
    void autoscaleMovesTheBoundsOfAnAutoscaledPool() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 1, DispatchOptions.defaults()
                .withAutoscale(new DispatchOptions.Autoscale(2, 1, Duration.ofSeconds(30))));
        holds(app, 3);
        waitUntil(() -> PoolTasks.started(key) == 2);

        worker.autoscale(3, 1);

        waitUntil(() -> PoolTasks.started(key) == 3);
        assertThat(worker.poolSize()).isEqualTo(3);
        assertThatThrownBy(() -> worker.autoscale(1, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThat(worker.poolSize()).isEqualTo(3);
    }
}
