package org.celeriac.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;

import org.celeriac.spi.events.Event;
import org.junit.jupiter.api.Test;

/** The cluster rebuilt from events as Celery's events.State rebuilds it, with a clock the test moves. */
class ClusterStateTest {
    private double now = 1_000;
    private final ClusterState state = new ClusterState(3, () -> now);

    private void event(String type, Object... fields) {
        Map<String, Object> f = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            f.put((String) fields[i], fields[i + 1]);
        }
        f.put("type", type);
        state.apply(new Event(type, f));
    }

    @Test
    void aLateReceivedEventAddsTheArgumentsButDoesNotMoveTheStateBack() {
        event("task-succeeded", "uuid", "t1", "hostname", "w1", "timestamp", 10.0, "result", "3", "runtime", 0.1);
        event("task-received", "uuid", "t1", "hostname", "w1", "timestamp", 9.0, "name", "demo.add",
                "args", "[1, 2]", "kwargs", "{}");

        Map<String, Object> t = state.task("t1").orElseThrow();
        assertThat(t).containsEntry("state", "SUCCESS").containsEntry("name", "demo.add")
                .containsEntry("args", "[1, 2]").containsEntry("received", 9.0).containsEntry("succeeded", 10.0)
                .containsEntry("timestamp", 10.0).containsEntry("worker", "w1");
        assertThat(state.taskTypes()).containsExactly("demo.add");
    }

    @Test
    void keepsAtMostMaxTasksDroppingTheOldestHeardOf() {
        for (int i = 1; i <= 4; i++) {
            event("task-received", "uuid", "t" + i, "hostname", "w1", "timestamp", (double) i, "name", "x");
        }

        assertThat(state.task("t1")).isEmpty();
        assertThat(state.tasks(ClusterState.TaskQuery.all())).extracting(t -> t.get("uuid"))
                .containsExactly("t4", "t3", "t2");
    }

    @Test
    void aWorkerIsAliveForTwiceItsHeartbeatIntervalAndNotAfterGoingOffline() {
        event("worker-heartbeat", "hostname", "w1", "freq", 2.0, "timestamp", now);
        assertThat(state.workerStatus()).containsEntry("w1", true);

        now += 3.9;
        assertThat(state.workerStatus()).containsEntry("w1", true);
        now += 0.2;
        assertThat(state.workerStatus()).containsEntry("w1", false);

        event("worker-heartbeat", "hostname", "w1", "freq", 2.0, "timestamp", now);
        event("worker-offline", "hostname", "w1", "timestamp", now);
        assertThat(state.workerStatus()).containsEntry("w1", false);
    }

    @Test
    void tasksAreListedByTheLogicalClockOfTheirLatestEventAsCelery() {
        // w2's wall clock runs ahead, but its events come before w1's by the logical clock, as Celery orders them
        event("task-received", "uuid", "a", "hostname", "w1", "timestamp", 1.0, "clock", 10, "name", "x");
        event("task-received", "uuid", "b", "hostname", "w2", "timestamp", 50.0, "clock", 5, "name", "y");
        event("task-succeeded", "uuid", "b", "hostname", "w2", "timestamp", 51.0, "clock", 7);

        assertThat(state.tasks(ClusterState.TaskQuery.all())).extracting(t -> t.get("uuid"))
                .containsExactly("a", "b");
        // sorted by a field, ties stay in that order (Flower sorts stably)
        assertThat(state.tasks(new ClusterState.TaskQuery(null, null, null, "-received", 0, null)))
                .extracting(t -> t.get("uuid")).containsExactly("b", "a");
        assertThat(state.tasks(new ClusterState.TaskQuery(null, null, null, "started", 0, null)))
                .extracting(t -> t.get("uuid")).containsExactly("a", "b");
    }
}
