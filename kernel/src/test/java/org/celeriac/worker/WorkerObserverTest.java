package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.SendOptions;
import org.celeriac.protocol.ExceptionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The task events a worker reports to its {@link TaskObserver}, in the order Celery sends them. */
@Timeout(60)
class WorkerObserverTest extends ControlTestSupport {

    /** Records each call, by task id, as a short line; and the requests and values passed. */
    private static final class Recorder implements TaskObserver {
        final Map<String, List<String>> events = new ConcurrentHashMap<>();
        final Map<String, List<TaskRequest>> requests = new ConcurrentHashMap<>();
        final Map<String, Object> results = new ConcurrentHashMap<>();
        final Map<String, String> tracebacks = new ConcurrentHashMap<>();

        private void record(TaskRequest r, String event) {
            events.computeIfAbsent(r.task().id(), k -> new CopyOnWriteArrayList<>()).add(event);
            requests.computeIfAbsent(r.task().id(), k -> new CopyOnWriteArrayList<>()).add(r);
        }

        List<String> of(String id) {
            return events.getOrDefault(id, List.of());
        }

        @Override
        public void received(TaskRequest r) {
            record(r, "received");
        }

        @Override
        public void started(TaskRequest r) {
            record(r, "started");
        }

        @Override
        public void succeeded(TaskRequest r, Object result, double runtimeSeconds) {
            results.put(r.task().id(), result);
            record(r, runtimeSeconds >= 0 ? "succeeded" : "succeeded in negative time");
        }

        @Override
        public void failed(TaskRequest r, ExceptionInfo error, String traceback) {
            tracebacks.put(r.task().id(), traceback);
            record(r, "failed " + error);
        }

        @Override
        public void retried(TaskRequest r, ExceptionInfo error, String traceback) {
            tracebacks.put(r.task().id(), traceback);
            record(r, "retried " + error);
        }

        @Override
        public void rejected(TaskRequest r, boolean requeue) {
            record(r, "rejected requeue=" + requeue);
        }

        @Override
        public void revoked(TaskRequest r, boolean terminated, boolean expired) {
            record(r, "revoked terminated=" + terminated + " expired=" + expired);
        }
    }

    private final Recorder recorder = new Recorder();

    /** A worker of one thread, observed from before its start. */
    private Worker observed(Celeriac app) {
        Worker worker = app.worker(app.workerOptions().withConcurrency(1));
        worker.observe(recorder);
        worker.start();
        return worker;
    }

    private List<String> eventsOf(AsyncResult r, int expected) throws InterruptedException {
        waitUntil(() -> recorder.of(r.id()).size() >= expected);
        return recorder.of(r.id());
    }

    @Test
    void succeedingTaskIsReceivedStartedAndSucceedsWithItsResultAsStored() throws Exception {
        Celeriac app = app();
        observed(app);

        AsyncResult r = app.client().send("t.add", List.of(2, 3), Map.of());

        assertThat(eventsOf(r, 3)).containsExactly("received", "started", "succeeded");
        assertThat(recorder.results).containsEntry(r.id(), 5);
        List<TaskRequest> seen = recorder.requests.get(r.id());
        assertThat(seen.get(0).timeStart()).as("received, not started").isNull();
        assertThat(seen.get(0).acknowledged()).isFalse();
        assertThat(seen.get(1).timeStart()).isNotNull().isBeforeOrEqualTo(Instant.now());
        assertThat(seen.get(1).acknowledged()).as("acked early").isTrue();
        assertThat(seen.get(1).queue()).isEqualTo("celery");
    }

    @Test
    void failingTaskIsReceivedStartedAndFailsWithItsErrorAndTraceback() throws Exception {
        Celeriac app = app();
        observed(app);

        AsyncResult r = app.client().send("t.fail", List.of("boom"), Map.of());

        assertThat(eventsOf(r, 3)).containsExactly("received", "started", "failed IllegalStateException: boom");
        assertThat(recorder.tracebacks.get(r.id())).contains("IllegalStateException: boom");
    }

    @Test
    void retryingTaskIsRetriedThenReceivedAgainAsItsNextAttempt() throws Exception {
        Celeriac app = app();
        observed(app);

        AsyncResult r = app.client().send("t.flaky", List.of(1), Map.of());

        assertThat(r.get(WAIT)).isEqualTo(1);
        assertThat(eventsOf(r, 6)).containsExactly("received", "started", "retried IllegalStateException: attempt 0",
                "received", "started", "succeeded");
        List<TaskRequest> seen = recorder.requests.get(r.id());
        assertThat(seen.get(3).task().retries()).isEqualTo(1);
        assertThat(seen.get(3).eta()).as("the retry's countdown").isNotNull();
    }

    @Test
    void taskRevokedBeforeItArrivesIsOnlyRevoked() throws Exception {
        Celeriac app = app();
        Worker worker = observed(app);
        String id = key();
        worker.revoke(id, false);

        AsyncResult r = app.client().send("t.add", List.of(1, 1), Map.of(), SendOptions.defaults().taskId(id));

        assertThat(eventsOf(r, 1)).containsExactly("revoked terminated=false expired=false");
        assertThat(worker.totals()).doesNotContainKey("t.add");
    }

    @Test
    void taskRevokedWhileItWaitsForItsEtaIsReceivedThenRevoked() throws Exception {
        Celeriac app = app();
        Worker worker = observed(app);
        AsyncResult r = app.client().send("t.add", List.of(1, 1), Map.of(),
                SendOptions.defaults().countdown(Duration.ofMillis(500)));
        waitUntil(() -> recorder.of(r.id()).contains("received"));

        worker.revoke(r.id(), false);

        assertThat(eventsOf(r, 2)).containsExactly("received", "revoked terminated=false expired=false");
        waitUntil(() -> worker.scheduled().isEmpty() && worker.reserved().isEmpty());
    }

    @Test
    void runningTaskTerminatedByARevokeIsStartedThenRevokedAsTerminated() throws Exception {
        Celeriac app = app();
        Worker worker = observed(app);
        AsyncResult r = hold(app, key);
        waitUntil(() -> PoolTasks.started(key) == 1);

        worker.revoke(r.id(), true);

        assertThat(eventsOf(r, 3)).containsExactly("received", "started", "revoked terminated=true expired=false");
        waitUntil(() -> worker.activeCount() == 0);
    }

    @Test
    void expiredTaskIsOnlyRevokedAsExpired() throws Exception {
        Celeriac app = app();
        observed(app);

        AsyncResult r = app.client().send("t.add", List.of(1, 1), Map.of(),
                SendOptions.defaults().expires(Instant.now().minusSeconds(1)));

        assertThat(eventsOf(r, 1)).containsExactly("revoked terminated=false expired=true");
    }

    @Test
    void taskExpiringWhileItWaitsForItsEtaIsReceivedThenRevokedAsExpired() throws Exception {
        Celeriac app = app();
        observed(app);

        AsyncResult r = app.client().send("t.add", List.of(1, 1), Map.of(), SendOptions.defaults()
                .countdown(Duration.ofMillis(600)).expires(Instant.now().plusMillis(300)));

        assertThat(eventsOf(r, 2)).containsExactly("received", "revoked terminated=false expired=true");
    }

    @Test
    void deadLetteredTaskIsRejectedWithoutRequeue() throws Exception {
        Celeriac app = app();
        observed(app);

        AsyncResult r = app.client().send("t.nope", List.of(), Map.of());

        assertThat(eventsOf(r, 1)).containsExactly("rejected requeue=false");
        assertThat(recorder.requests.get(r.id()).get(0).task().task()).isEqualTo("t.nope");
    }

    @Test
    void lateAckTaskCutShortAtShutdownThatRejectsOnWorkerLostIsRejectedWithRequeue() throws Exception {
        Celeriac app = app();
        Worker worker = app.worker(app.workerOptions().withConcurrency(1).withShutdownTimeout(Duration.ofMillis(100)));
        worker.observe(recorder);
        worker.start();
        String held = key();
        AsyncResult r = app.client().send("x.lost_requeued", List.of(held), Map.of());
        waitUntil(() -> ExecutionTasks.RUNS.containsKey(held));

        worker.stop();

        assertThat(eventsOf(r, 3)).containsExactly("received", "started", "rejected requeue=true");
    }

    @Test
    void observerThatThrowsDoesNotStopTheWorker() throws Exception {
        Celeriac app = app();
        Worker worker = app.worker(app.workerOptions().withConcurrency(1));
        worker.observe(new TaskObserver() {
            @Override
            public void started(TaskRequest r) {
                throw new IllegalStateException("observer broken (test)");
            }
        });
        worker.start();

        assertThat(app.client().send("t.add", List.of(1, 2), Map.of()).get(WAIT)).isEqualTo(3);
    }

    @Test
    void observerSetAfterTheStartIsToldOfTheTasksFromThenOnAndNullStopsIt() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 1);
        AsyncResult before = app.client().send("t.add", List.of(1, 1), Map.of());
        before.get(WAIT);
        waitUntil(() -> worker.activeCount() == 0); // over: its events, had there been any, are told

        worker.observe(recorder);
        AsyncResult after = app.client().send("t.add", List.of(2, 2), Map.of());
        assertThat(eventsOf(after, 3)).containsExactly("received", "started", "succeeded");
        worker.observe(null);
        AsyncResult last = app.client().send("t.add", List.of(3, 3), Map.of());
        last.get(WAIT);
        waitUntil(() -> worker.activeCount() == 0);

        assertThat(recorder.of(before.id())).isEmpty();
        assertThat(recorder.of(last.id())).isEmpty();
    }
}
