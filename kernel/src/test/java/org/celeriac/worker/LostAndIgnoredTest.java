package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.TaskFailedException;
import org.celeriac.config.Settings;
import org.celeriac.protocol.ExceptionInfo;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.spi.transport.Delivery;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code store_errors_even_if_ignored}: failures of tasks whose result is ignored. {@code reject_on_worker_lost}:
 * what becomes of a late-ack task whose run the worker cuts short at shutdown, warm or cold, even one that would
 * retry: a run the worker cut short is the worker's loss, not the task's retry.
 */
@Timeout(60)
class LostAndIgnoredTest extends ExecutionTestSupport {

    @Test
    void ignoredResultFailureIsStoredOnlyWhenTheTaskOrTheWorkerSaysSo() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 1);

        AsyncResult stored = app.client().send("x.ignored_fail_stored", List.of(), Map.of());
        assertThat(failure(stored).exception()).isEqualTo(
                new ExceptionInfo("IllegalStateException", "java.lang", "stored failure"));
        AsyncResult ignored = app.client().send("x.ignored_fail", List.of(), Map.of());
        AsyncResult success = app.client().send("x.ignored_ok", List.of(), Map.of());
        awaitProcessed(worker, 3);
        assertThat(app.backend().get(ignored.id())).as("failure of an ignored result").isEmpty();
        assertThat(app.backend().get(success.id())).as("success of an ignored result").isEmpty();

        Celeriac storing = app(Settings.TASK_STORE_ERRORS_EVEN_IF_IGNORED, "true");
        startWorker(storing, 1);
        assertThat(failure(storing.client().send("x.ignored_fail", List.of(), Map.of())).exception().message())
                .isEqualTo("ignored failure");
    }

    @Test
    void lateAckTaskCutShortAtShutdownFailsWithWorkerLostErrorAndIsAcked() throws Exception {
        Celeriac app = app();
        String key = key();
        AsyncResult r = cutShort(app, "x.lost_failed", key);

        ExceptionInfo error = failure(r).exception();
        assertThat(error.type()).isEqualTo("WorkerLostError");
        assertThat(error.module()).isEqualTo("billiard.exceptions");
        assertThat(r.state()).isEqualTo(TaskState.FAILURE);
        assertThat(waiting(app)).as("messages left on the queue").isEmpty();
    }

    @Test
    void lateAckTaskThatRejectsOnWorkerLostIsRequeuedUnstoredAndRunsAgain() throws Exception {
        Celeriac app = app();
        String key = key();
        AsyncResult r = cutShort(app, "x.lost_requeued", key);

        assertThat(app.backend().get(r.id())).as("no outcome stored").isEmpty();
        ExecutionTasks.RELEASE.get(key).countDown();
        startWorker(app, 1);
        assertThat(r.get(WAIT)).isEqualTo("released");
        assertThat(ExecutionTasks.RUNS.get(key).get()).isEqualTo(2);
    }

    @Test
    void workerWideSettingRequeuesTasksThatDoNotSay() throws Exception {
        Celeriac app = app(Settings.TASK_REJECT_ON_WORKER_LOST, "true");
        AsyncResult r = cutShort(app, "x.lost_failed", key());

        assertThat(app.backend().get(r.id())).as("no outcome stored").isEmpty();
        assertThat(waiting(app)).hasSize(1);
    }

    @Test
    void taskAskingForARetryWhenCutShortAtShutdownFailsWithWorkerLostErrorAndIsNotRetried() throws Exception {
        Celeriac app = app();
        AsyncResult r = cutShort(app, "x.retry_interrupted", key());

        assertThat(failure(r).exception().type()).isEqualTo("WorkerLostError");
        assertThat(waiting(app)).as("no retry published").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"x.retry_interrupted", "x.autoretry_interrupted"})
    void retryingTaskCutShortAtShutdownThatRejectsOnWorkerLostIsRequeuedAsItIsNotRetried(String task)
            throws Exception {
        Celeriac app = app(Settings.TASK_REJECT_ON_WORKER_LOST, "true");
        AsyncResult r = cutShort(app, task, key());

        assertThat(app.backend().get(r.id())).as("no RETRY stored").isEmpty();
        List<Delivery> back = waiting(app);
        assertThat(back).extracting(d -> d.message().taskId()).as("one message").containsExactly(r.id());
        assertThat(back.get(0).redelivered()).as("the original, not a retry").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"x.autoretry_interrupted", "x.retry_interrupted"})
    void coldStopOfARetryingLateAckTaskPublishesNoRetryStoresNothingAndReturnsTheMessageOnce(String task)
            throws Exception {
        Celeriac first = app();
        Celeriac second = sameBroker(first);
        String key = key();
        Worker worker = startWorker(first, 1);
        AsyncResult r = second.client().send(task, List.of(key), Map.of());
        assertThat(ExecutionTasks.RETURNED.computeIfAbsent(key, k -> new CountDownLatch(1))
                .await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("task started").isTrue();

        worker.stopNow();
        worker.stop();
        assertThat(second.backend().get(r.id())).as("nothing stored: no RETRY").isEmpty();
        first.close(); // its connection closes: the unacked message goes back to the queue
        assertThat(waiting(second)).extracting(d -> d.message().taskId()).as("the original only, no retry")
                .containsExactly(r.id());

        ExecutionTasks.RELEASE.get(key).countDown();
        startWorker(second, 1);
        assertThat(r.get(WAIT)).isEqualTo("released");
        assertThat(ExecutionTasks.RUNS.get(key).get()).as("runs: the cold-stopped one, then once more").isEqualTo(2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x.autoretry_interrupted", "x.retry_interrupted"})
    void taskRetryingOnTheInterruptOfATerminatingRevokeEndsRevokedAndIsNotRetried(String task) throws Exception {
        Celeriac app = app();
        String key = key();
        Worker worker = startWorker(app, 1);
        AsyncResult r = app.client().send(task, List.of(key), Map.of());
        assertThat(ExecutionTasks.RETURNED.computeIfAbsent(key, k -> new CountDownLatch(1))
                .await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("task started").isTrue();

        worker.revoke(r.id(), true);

        TaskFailedException e = failure(r);
        assertThat(e.state()).isEqualTo(TaskState.REVOKED);
        assertThat(e.exception().message()).as("ended by the terminate, not a retry revoked on arrival")
                .isEqualTo("terminated");
        worker.stop();
        assertThat(worker.processed()).as("the one message, no retry of it").isEqualTo(1);
        assertThat(waiting(app)).isEmpty();
        assertThat(ExecutionTasks.RUNS.get(key).get()).isEqualTo(1);
    }

    /** Starts the task on a worker with a short shutdown timeout, then stops that worker while the task runs. */
    private AsyncResult cutShort(Celeriac app, String task, String key) throws Exception {
        Worker worker = startWorker(app, app.workerOptions().withConcurrency(1)
                .withShutdownTimeout(Duration.ofMillis(100)));
        AsyncResult r = app.client().send(task, List.of(key), Map.of());
        assertThat(ExecutionTasks.RETURNED.computeIfAbsent(key, k -> new CountDownLatch(1))
                .await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("task started").isTrue();
        worker.stop();
        return r;
    }

    private static List<Delivery> waiting(Celeriac app) throws InterruptedException {
        List<Delivery> got = app.transport().receive(List.of("celery"), 10, Duration.ofMillis(300));
        for (Delivery d : got) {
            app.transport().reject(d, true);
        }
        return got;
    }

    private static void awaitProcessed(Worker worker, int n) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (worker.processed() < n && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(worker.processed()).isGreaterThanOrEqualTo(n);
    }
}
