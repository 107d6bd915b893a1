package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.SendOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What Celery's {@code inspect active|reserved|scheduled|stats|revoked} read from a worker. */
@Timeout(60)
class WorkerInspectTest extends ControlTestSupport {

    @Test
    void runningTaskIsActiveWithItsStartAndIsCountedInTheTotals() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 2);
        AsyncResult r = hold(app, key);
        waitUntil(() -> PoolTasks.started(key) == 1);

        List<TaskRequest> active = worker.active();

        assertThat(active).hasSize(1);
        TaskRequest running = active.get(0);
        assertThat(running.task().id()).isEqualTo(r.id());
        assertThat(running.task().task()).isEqualTo("p.hold");
        assertThat(running.queue()).isEqualTo("celery");
        assertThat(running.acknowledged()).as("acked early, as it started").isTrue();
        assertThat(running.redelivered()).isFalse();
        assertThat(running.timeStart()).isNotNull().isBeforeOrEqualTo(Instant.now());
        assertThat(running.eta()).isNull();
        assertThat(worker.activeCount()).isEqualTo(1);
        assertThat(worker.reserved()).isEmpty();
        assertThat(worker.scheduled()).isEmpty();
        assertThat(worker.totals()).containsEntry("p.hold", 1L);

        PoolTasks.release(key).countDown();
        r.get(WAIT);
        waitUntil(() -> worker.active().isEmpty());
        assertThat(worker.activeCount()).isZero();
        assertThat(worker.totals()).containsEntry("p.hold", 1L);
    }

    @Test
    void runningLateAckTaskIsNotAcknowledgedYet() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 1);
        app.client().send("p.hold_late", List.of(key), Map.of());
        waitUntil(() -> PoolTasks.started(key) == 1);

        assertThat(worker.active()).singleElement().satisfies(r -> assertThat(r.acknowledged()).isFalse());
    }

    @Test
    void totalsCountTheTasksStartedOfEachType() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 2);

        for (int i = 0; i < 3; i++) {
            app.client().send("t.add", List.of(i, 1), Map.of()).get(WAIT);
        }
        app.client().send("p.where", List.of(key), Map.of()).get(WAIT);

        waitUntil(() -> worker.totals().getOrDefault("p.where", 0L) == 1);
        assertThat(worker.totals()).containsEntry("t.add", 3L).containsEntry("p.where", 1L).hasSize(2);
    }

    @Test
    void taskWaitingForItsEtaIsScheduledNotReserved() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 1);
        Instant eta = Instant.now().plusSeconds(60);

        AsyncResult r = app.client().send("t.add", List.of(1, 1), Map.of(), SendOptions.defaults().eta(eta));

        waitUntil(() -> !worker.scheduled().isEmpty());
        TaskRequest waiting = worker.scheduled().get(0);
        assertThat(waiting.task().id()).isEqualTo(r.id());
        assertThat(waiting.eta()).isCloseTo(eta, within(1, ChronoUnit.MILLIS));
        assertThat(waiting.timeStart()).isNull();
        assertThat(waiting.acknowledged()).isFalse();
        assertThat(worker.reserved()).isEmpty();
        assertThat(worker.active()).isEmpty();
    }

    @Test
    void taskWaitingForARateLimitTokenIsReserved() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 2);
        worker.setRateLimit("t.add", "1/m");
        assertThat(app.client().send("t.add", List.of(1, 1), Map.of()).get(WAIT)).isEqualTo(2);

        AsyncResult waiting = app.client().send("t.add", List.of(2, 2), Map.of());

        waitUntil(() -> ids(worker.reserved()).contains(waiting.id()));
        assertThat(worker.scheduled()).isEmpty();
        assertThat(worker.reserved()).singleElement().satisfies(r -> {
            assertThat(r.timeStart()).isNull();
            assertThat(r.acknowledged()).isFalse();
        });
    }

    @Test
    void taskWhoseEtaCameWhileEveryThreadIsBusyIsReserved() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 2);
        AsyncResult later = app.client().send("t.add", List.of(1, 1), Map.of(),
                SendOptions.defaults().countdown(Duration.ofSeconds(3)));
        waitUntil(() -> ids(worker.scheduled()).contains(later.id()));

        hold(app, key);
        hold(app, key);
        waitUntil(() -> PoolTasks.started(key) == 2);

        waitUntil(() -> ids(worker.reserved()).contains(later.id()));
        assertThat(worker.scheduled()).isEmpty();
        PoolTasks.release(key).countDown();
        assertThat(later.get(WAIT)).isEqualTo(2);
        waitUntil(() -> worker.reserved().isEmpty() && worker.active().isEmpty());
    }

    @Test
    void tasksGivenBackAtAWarmStopAreNoLongerListed() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 1);
        app.client().send("t.add", List.of(1, 1), Map.of(), SendOptions.defaults().countdown(Duration.ofSeconds(60)));
        waitUntil(() -> worker.scheduled().size() == 1);

        worker.stop();

        assertThat(worker.scheduled()).isEmpty();
        assertThat(app.transport().size("celery")).isEqualTo(1);
    }

    @Test
    void startedAtIsWhenTheWorkerStarted() {
        Celeriac app = app();
        Worker worker = app.worker(app.workerOptions());
        assertThat(worker.startedAt()).isNull();
        Instant before = Instant.now();

        worker.start();
        try {
            assertThat(worker.startedAt()).isBetween(before, Instant.now());
        } finally {
            worker.stop();
        }
    }

    @Test
    void prefetchCountIsThePoolSizeTimesTheMultiplierOrThePoolSizeWithPrefetchDisabled() {
        Celeriac app = app();
        Worker taking = startWorker(app, app.workerOptions().withConcurrency(3).withPrefetchMultiplier(4));
        Worker notTaking = app.worker(app.workerOptions().withConcurrency(3),
                DispatchOptions.defaults().withDisablePrefetch(true));

        assertThat(taking.prefetchCount()).isEqualTo(12);
        assertThat(notTaking.prefetchCount()).isEqualTo(3);
    }

    @Test
    void revokedIdsAreTheIdsRevokedHere() {
        Celeriac app = app();
        Worker worker = startWorker(app, 1);

        worker.revoke("a", false);
        worker.revoke("b", true);
        worker.revokeByStampedHeader("batch", 7, false);

        assertThat(worker.revokedIds()).containsExactly("a", "b");
    }
}
