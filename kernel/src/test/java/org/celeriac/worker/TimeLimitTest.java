package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.SendOptions;
import org.celeriac.client.TaskFailedException;
import org.celeriac.config.Settings;
import org.celeriac.protocol.TaskMessage;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.task.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Soft and hard time limits, per call, per task and per worker, as the client sees their outcome. */
@Timeout(60)
class TimeLimitTest extends ExecutionTestSupport {

    private static SendOptions limits(Double hard, Double soft) {
        return SendOptions.defaults().timeLimits(hard, soft);
    }

    @Test
    void softLimitOfTheTaskInterruptsItAndFailsItWithSoftTimeLimitExceeded() {
        Celeriac app = app();
        startWorker(app, 2);

        TaskFailedException e = failure(app.client().send("x.soft_sleep", List.of(30), Map.of()));

        assertThat(e.state()).isEqualTo(TaskState.FAILURE);
        assertThat(e.exception().type()).isEqualTo("SoftTimeLimitExceeded");
        assertThat(e.exception().module()).isEqualTo("billiard.exceptions");
        assertThat(e.exception().message()).isEmpty();
    }

    @Test
    void taskThatCatchesTheSoftLimitCleansUpAndSucceeds() throws Exception {
        Celeriac app = app();
        startWorker(app, 2);

        Object interrupted = app.client().send("x.cleanup", List.of(30), Map.of(), limits(null, 0.2)).get(WAIT);
        Object caught = app.client().send("x.spin", List.of(true), Map.of(), limits(null, 0.2)).get(WAIT);
        TaskFailedException uncaught = failure(app.client().send("x.spin", List.of(false), Map.of(), limits(null, 0.2)));

        assertThat(interrupted).isEqualTo("cleaned up");
        assertThat(caught).isEqualTo("caught SoftTimeLimitExceeded");
        assertThat(uncaught.exception().type()).isEqualTo("SoftTimeLimitExceeded");
        assertThat(uncaught.exception().module()).isEqualTo("billiard.exceptions");
    }

    @Test
    void hardLimitFailsTheTaskAcksItAndReplacesItsThread() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 1);
        String key = key();
        ExecutionTasks.RELEASE.put(key, new CountDownLatch(1));
        CountDownLatch returned = ExecutionTasks.RETURNED.computeIfAbsent(key, k -> new CountDownLatch(1));

        AsyncResult stuck = app.client().send("x.stubborn", List.of(key), Map.of(), limits(0.3, null));
        TaskFailedException e = failure(stuck);

        assertThat(e.exception().type()).isEqualTo("TimeLimitExceeded");
        assertThat(e.exception().module()).isEqualTo("billiard.exceptions");
        assertThat(e.exception().message()).isEqualTo("0.3");
        assertThat(e.remoteTraceback()).contains("ExecutionTasks.stubborn");
        // The only pool thread is stuck, yet the next task runs: its thread was replaced.
        assertThat(app.client().send("x.sleep", List.of(0), Map.of()).get(WAIT)).isEqualTo(0.0);
        // Late ack: acked as Celery acks a task that timed out, not given back to run again.
        assertThat(app.transport().size("celery")).isZero();
        assertThat(worker.timeLimiter().stuck()).isEqualTo(1);

        ExecutionTasks.RELEASE.get(key).countDown();
        assertThat(returned.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (worker.timeLimiter().stuck() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(worker.timeLimiter().stuck()).isZero();

        // What the abandoned attempt returned is discarded; the task ran once; the pool goes on.
        assertThat(stuck.state()).isEqualTo(TaskState.FAILURE);
        assertThat(ExecutionTasks.RUNS.get(key).get()).isEqualTo(1);
        assertThat(app.client().send("x.sleep", List.of(0), Map.of()).get(WAIT)).isEqualTo(0.0);
    }

    @Test
    void warmStopWaitsForTheTaskStillRunningNotForAThreadAbandonedAtItsHardLimit() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, app.workerOptions().withConcurrency(2)
                .withShutdownTimeout(Duration.ofSeconds(20)));
        abandonOne(app);
        String key = key();
        AsyncResult running = app.client().send("x.started_sleep", List.of(key, 1.0), Map.of());
        assertThat(ExecutionTasks.RETURNED.computeIfAbsent(key, k -> new CountDownLatch(1))
                .await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("task started").isTrue();

        long start = System.nanoTime();
        worker.stop();
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(running.state()).as("the task running at stop time finished first").isEqualTo(TaskState.SUCCESS);
        assertThat(took).as("a bound, not the 20 s shutdown timeout").isLessThan(Duration.ofSeconds(10));
        assertThat(worker.timeLimiter().stuck()).as("the abandoned thread, left behind").isEqualTo(1);
        assertThat(Thread.getAllStackTraces().keySet()).filteredOn(t -> t.getName().startsWith("celeriac-pool"))
                .as("pool threads left behind do not hold the JVM").isNotEmpty().allMatch(Thread::isDaemon);
    }

    @Test
    void coldStopDoesNotWaitForAThreadAbandonedAtItsHardLimit() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, app.workerOptions().withConcurrency(1)
                .withShutdownTimeout(Duration.ofSeconds(20)));
        abandonOne(app);

        long start = System.nanoTime();
        worker.stopNow();
        worker.stop();

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void withPrefetchDisabledAThreadAbandonedAtItsHardLimitDoesNotStopTheWorkerTakingTasks() throws Exception {
        Celeriac app = app(Settings.WORKER_DISABLE_PREFETCH, "true");
        startWorker(app, 1);
        abandonOne(app);

        assertThat(app.client().send("x.sleep", List.of(0), Map.of()).get(WAIT)).isEqualTo(0.0);
    }

    /** Runs a task that ignores interrupts past a hard limit of 0.5 s: its thread is abandoned, stuck. */
    private void abandonOne(Celeriac app) {
        String key = key();
        ExecutionTasks.RELEASE.put(key, new CountDownLatch(1)); // released after the test
        AsyncResult stuck = app.client().send("x.stubborn", List.of(key), Map.of(), limits(0.5, null));
        assertThat(failure(stuck).exception().type()).isEqualTo("TimeLimitExceeded");
    }

    @Test
    void workerWideSoftLimitFromTheSettingsAppliesToTasksWithoutTheirOwn() throws Exception {
        Celeriac app = app(Settings.TASK_SOFT_TIME_LIMIT, "0.3", Settings.TASK_TIME_LIMIT, "20");
        assertThat(app.workerOptions().taskDefaults())
                .isEqualTo(new TaskDefaults(Duration.ofMillis(20_000), Duration.ofMillis(300), false));
        startWorker(app, 2);

        TaskFailedException byWorker = failure(app.client().send("x.sleep", List.of(30), Map.of()));
        // The task's own limit (30 s) wins over the worker's.
        Object byTask = app.client().send("x.patient", List.of(0.6), Map.of()).get(WAIT);

        assertThat(byWorker.exception().type()).isEqualTo("SoftTimeLimitExceeded");
        assertThat(byTask).isEqualTo(0.6);
    }

    @Test
    void callLimitWinsOverTheTasksWhichWinsOverTheWorkers() throws Exception {
        Task soft03 = ExecutionTasks.class.getMethod("softSleep", double.class).getAnnotation(Task.class);
        Task stubborn = ExecutionTasks.class.getMethod("stubborn", String.class).getAnnotation(Task.class);
        TaskDefaults worker = new TaskDefaults(Duration.ofSeconds(100), Duration.ofSeconds(50), false);
        TaskMessage plain = TaskMessage.of("id", "x", List.of(), Map.of());
        TaskMessage soft5 = plain.withOptions(null, null, 5.0, 0, null, false, null);

        assertThat(TimeLimiter.resolve(plain, soft03, worker))
                .isEqualTo(new TimeLimiter.Limits(Duration.ofSeconds(100), Duration.ofMillis(300)));
        assertThat(TimeLimiter.resolve(soft5, soft03, worker))
                .isEqualTo(new TimeLimiter.Limits(Duration.ofSeconds(100), Duration.ofSeconds(5)));
        assertThat(TimeLimiter.resolve(plain, stubborn, TaskDefaults.defaults()))
                .isEqualTo(new TimeLimiter.Limits(Duration.ofSeconds(60), null));
        assertThat(TimeLimiter.resolve(plain.withOptions(null, 0.0, 0.0, 0, null, false, null),
                ExecutionTasks.class.getMethod("sleep", double.class).getAnnotation(Task.class), TaskDefaults.defaults()))
                .isEqualTo(TimeLimiter.Limits.NONE);
    }

    @Test
    void callSoftLimitOverridesALongerTaskLimit() throws Exception {
        Celeriac app = app();
        startWorker(app, 1);

        TaskFailedException e = failure(app.client().send("x.patient", List.of(30), Map.of(), limits(null, 0.2)));

        assertThat(e.exception().type()).isEqualTo("SoftTimeLimitExceeded");
    }
}
