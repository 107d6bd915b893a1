package org.celeriac.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.config.Settings;
import org.celeriac.examples.demo.DemoTasks;
import org.celeriac.spi.events.Event;
import org.celeriac.worker.Worker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Flower's --persistent: what a monitor saw is in its database, and back after a restart. */
class PersistentMonitorTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private MonitorConfig persistent(int port, int maxTasks) {
        return new MonitorConfig("127.0.0.1", port, null, maxTasks, Duration.ofSeconds(1), dir.resolve("db/monitor"));
    }

    private Map<String, Map<String, Object>> tasks(Monitor monitor) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + monitor.address().getPort() + "/api/tasks")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readValue(r.body(), new TypeReference<Map<String, Map<String, Object>>>() { });
    }

    @Test
    void aRestartedPersistentMonitorStillListsATaskItSawBefore() throws Exception {
        String taskId;
        try (Celeriac app = Celeriac.open(Celeriac.inMemory(UUID.randomUUID().toString())
                .with(Settings.WORKER_SEND_TASK_EVENTS, "true"))) {
            app.tasks().register(DemoTasks.class);
            try (Monitor monitor = Monitor.start(app, persistent(FreePorts.from(57_320), 100));
                 Worker worker = app.worker(app.workerOptions().withHostname("persist@test"))) {
                worker.start();
                AsyncResult result = app.client().send("demo.add", List.of(2, 3), Map.of());
                assertThat(result.get(WAIT)).isEqualTo(5);
                taskId = result.id();
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!"SUCCESS".equals(tasks(monitor).getOrDefault(taskId, Map.of()).get("state"))
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertThat(tasks(monitor).get(taskId)).containsEntry("state", "SUCCESS");
            }
        }

        // Another broker, where nothing happened: what it lists comes from the database.
        try (Celeriac app = Celeriac.open(Celeriac.inMemory(UUID.randomUUID().toString()));
             Monitor monitor = Monitor.start(app, persistent(FreePorts.from(57_320), 100))) {
            assertThat(tasks(monitor)).hasEntrySatisfying(taskId, task -> assertThat(task)
                    .containsEntry("name", "demo.add").containsEntry("state", "SUCCESS")
                    .containsEntry("result", "5").containsEntry("worker", "persist@test"));
        }
    }

    @Test
    void theStateSavedIsLoadedBackWithinMaxTasksNewestKept() throws Exception {
        ClusterState seen = new ClusterState(10);
        for (int i = 1; i <= 3; i++) {
            seen.apply(event("task-received", "uuid", "t" + i, "hostname", "w1", "timestamp", 10.0 + i,
                    "name", "demo.add", "args", "[" + i + "]"));
        }
        seen.apply(event("worker-heartbeat", "hostname", "w1", "freq", 2.0, "active", 1));
        try (MonitorStore store = MonitorStore.open(dir.resolve("monitor"))) {
            store.save(seen.snapshot());
        }

        ClusterState restarted = new ClusterState(2);
        try (MonitorStore store = MonitorStore.open(dir.resolve("monitor"))) {
            restarted.restore(store.load());
        }

        assertThat(restarted.tasks(ClusterState.TaskQuery.all())).extracting(t -> t.get("uuid"))
                .containsExactly("t3", "t2");
        assertThat(restarted.task("t3")).hasValueSatisfying(t -> assertThat(t)
                .containsEntry("state", "RECEIVED").containsEntry("args", "[3]").containsEntry("worker", "w1"));
        assertThat(restarted.taskTypes()).containsExactly("demo.add");
        assertThat(restarted.workers()).containsKey("w1");
        assertThat(restarted.workers().get("w1")).containsEntry("freq", 2.0).containsEntry("active", 1);
    }

    @Test
    void eachSaveReplacesThePreviousOne() throws Exception {
        ClusterState first = new ClusterState(10);
        first.apply(event("task-received", "uuid", "old", "timestamp", 1.0, "name", "demo.add"));
        ClusterState second = new ClusterState(10);
        second.apply(event("task-received", "uuid", "new", "timestamp", 2.0, "name", "demo.mul"));

        try (MonitorStore store = MonitorStore.open(dir.resolve("monitor"))) {
            store.save(first.snapshot());
            store.save(second.snapshot());

            assertThat(store.load().tasks()).extracting(t -> t.get("uuid")).containsExactly("new");
        }
    }

    private static Event event(String type, Object... fields) {
        Map<String, Object> f = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            f.put((String) fields[i], fields[i + 1]);
        }
        f.put("type", type);
        return new Event(type, f);
    }
}
