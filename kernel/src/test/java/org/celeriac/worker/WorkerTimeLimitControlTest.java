package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.client.SendOptions;
import org.celeriac.client.TaskFailedException;
import org.celeriac.protocol.TaskMessage;
import org.celeriac.task.Task;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Celery's {@code time_limit} control command: a task type's limits changed at run time. */
@Timeout(60)
class WorkerTimeLimitControlTest extends ControlTestSupport {

    private static Task options(String method) throws NoSuchMethodException {
        return ExecutionTasks.class.getMethod(method, double.class).getAnnotation(Task.class);
    }

    @Test
    void limitSetForATaskTypeInterruptsItsTasksStartedAfter() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 1);
        assertThat(app.client().send("x.sleep", List.of(0.5), Map.of()).get(WAIT)).isEqualTo(0.5);

        worker.setTimeLimit("x.sleep", 0.2, null);

        TaskFailedException e = failure(app.client().send("x.sleep", List.of(30), Map.of()));
        assertThat(e.exception().type()).isEqualTo("SoftTimeLimitExceeded");
    }

    @Test
    void limitSetForATaskTypeReplacesTheTasksOwn() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 1);

        worker.setTimeLimit("x.patient", 0.2, null);

        TaskFailedException e = failure(app.client().send("x.patient", List.of(30), Map.of()));
        assertThat(e.exception().type()).isEqualTo("SoftTimeLimitExceeded");
    }

    @Test
    void limitOfTheCallWinsOverTheOneSetForItsType() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 1);

        worker.setTimeLimit("x.sleep", 30.0, 60.0);

        TaskFailedException e = failure(app.client().send("x.sleep", List.of(30), Map.of(),
                SendOptions.defaults().timeLimits(null, 0.2)));
        assertThat(e.exception().type()).isEqualTo("SoftTimeLimitExceeded");
    }

    @Test
    void limitSetWinsOverTheTasksAndTheWorkersAndNoneSetLeavesTheWorkersToApply() throws Exception {
        TimeLimiter limiter = new TimeLimiter(null, "test");
        TaskDefaults worker = new TaskDefaults(Duration.ofSeconds(100), Duration.ofSeconds(50), false);
        TaskMessage softSleep = TaskMessage.of("id", "x.soft_sleep", List.of(), Map.of());
        TaskMessage called = softSleep.withOptions(null, 7.0, null, 0, null, false, null);

        limiter.override("x.soft_sleep", 2.0, null);

        assertThat(limiter.limits(softSleep, options("softSleep"), worker))
                .isEqualTo(new TimeLimiter.Limits(Duration.ofSeconds(100), Duration.ofSeconds(2)));
        assertThat(limiter.limits(called, options("softSleep"), worker))
                .isEqualTo(new TimeLimiter.Limits(Duration.ofSeconds(7), Duration.ofSeconds(2)));
        limiter.override("x.soft_sleep", null, null);
        assertThat(limiter.limits(softSleep, options("softSleep"), TaskDefaults.defaults()))
                .as("the task's own 0.3 s no longer applies").isEqualTo(TimeLimiter.Limits.NONE);
        assertThat(limiter.limits(TaskMessage.of("id", "x.sleep", List.of(), Map.of()), options("sleep"), worker))
                .as("other task types keep theirs").isEqualTo(TimeLimiter.resolve(softSleep, options("sleep"), worker));
    }

    @Test
    void limitIsRefusedForATaskNotRegisteredOrBelowZero() {
        Worker worker = startWorker(app(), 1);

        assertThatThrownBy(() -> worker.setTimeLimit("x.nope", 1.0, 2.0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown task");
        assertThatThrownBy(() -> worker.setTimeLimit("x.sleep", -1.0, null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> worker.setTimeLimit("x.sleep", null, Double.NaN))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
