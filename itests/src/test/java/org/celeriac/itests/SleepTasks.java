package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntToDoubleFunction;

import org.celeriac.client.AsyncResult;
import org.celeriac.client.CeleriacClient;
import org.celeriac.client.SendOptions;
import org.celeriac.client.TaskCall;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;

/**
 * A batch of {@code demo.sleep} tasks, the i-th sleeping {@code seconds(i)}, which is also its result: a value of
 * its own for each task, so that a result stored for the wrong task shows.
 */
record SleepTasks(int count, IntToDoubleFunction seconds) {

    List<AsyncResult> send(CeleriacClient client) {
        List<TaskCall> calls = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            calls.add(new TaskCall("demo.sleep", List.of(seconds.applyAsDouble(i)), Map.of(), SendOptions.defaults()));
        }
        return client.sendAll(calls);
    }

    /** Every task's stored result is a SUCCESS with its own value. */
    void assertAllSucceeded(List<AsyncResult> sent) {
        assertThat(sent).hasSize(count);
        for (int i = 0; i < count; i++) {
            TaskResult r = sent.get(i).result();
            assertThat(r.state()).as("task %d", i).isEqualTo(TaskState.SUCCESS);
            assertThat(((Number) r.result()).doubleValue()).as("task %d", i).isEqualTo(seconds.applyAsDouble(i));
        }
    }
}
