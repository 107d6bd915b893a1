package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** STARTED, with Celery's meta, stored before a task runs when the task or the worker asks for it. */
@Timeout(60)
class TrackStartedTest extends ExecutionTestSupport {

    @Test
    void taskThatTracksStartedFindsItsStartedStateWithPidAndHostname() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 2);

        Object meta = app.client().send("x.started", List.of(), Map.of()).get(WAIT);

        assertThat(meta).isInstanceOf(Map.class);
        Map<?, ?> m = (Map<?, ?>) meta;
        assertThat(((Number) m.get("pid")).longValue()).isEqualTo(ProcessHandle.current().pid());
        assertThat(m.get("hostname")).isEqualTo(worker.options().hostname());
    }

    @Test
    void notTrackedByDefault() throws Exception {
        Celeriac app = app();
        startWorker(app, 2);

        assertThat(app.client().send("x.own_state", List.of(), Map.of()).get(WAIT)).isEqualTo("PENDING");
    }

    @Test
    void workerWideSettingTracksTasksThatDoNotSay() throws Exception {
        Celeriac app = app(Settings.TASK_TRACK_STARTED, "true");
        startWorker(app, 2);

        assertThat(app.client().send("x.own_state", List.of(), Map.of()).get(WAIT)).isEqualTo("STARTED");
        assertThat(app.client().send("x.untracked", List.of(), Map.of()).get(WAIT)).isEqualTo("PENDING");
    }
}
