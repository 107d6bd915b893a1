package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.celeriac.client.SendOptions;
import org.celeriac.spi.backend.TaskState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Real Flower 2.0.1, Celery's web monitor, watching a Celeriac worker (with task events, {@code -E}) on one broker,
 * whichever it is: a subclass names it. What Flower's HTTP API says of the worker and its tasks, and what its
 * Prometheus metrics count, is what it made of the worker's replies to {@code inspect} and of its events; its
 * pool-grow and revoke actions are remote-control commands the worker must obey.
 *
 * <p>Flower is the unmodified release in {@code shared/third-party/flower-2.0.1.tar.gz} (system property
 * {@code celeriac.flower.tarball}), unpacked to the class's temporary directory and run there as a process of
 * Debian's Python, with {@code FLOWER_UNAUTHENTICATED_API=1}, on a free loopback port. One Flower and one worker,
 * {@code jvm1@%h}, serve the whole class. {@code -Dceleriac.itests.subject=python} watches a Python worker instead
 * (see {@link RemoteWorkers}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FlowerInteropContract {
    /** A Prometheus sample: {@code name{label="value",...} number}. */
    private static final Pattern SAMPLE = Pattern.compile("(?m)^(\\w+)\\{([^}]*)\\} (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    @RegisterExtension
    static final CeleriacProcesses CLASS_CELERIAC = CeleriacProcesses.classWide();

    @RegisterExtension
    static final PythonProcesses CLASS_PYTHON = PythonProcesses.classWide();

    @TempDir
    static Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    RemoteWorkers workers;
    RemoteWorkers.Worker worker;
    private URI flower;

    /** Skips the class (fails it under CI) when its broker is missing; called before anything else. */
    abstract void require() throws Exception;

    /** The broker and result backend of this class alone. */
    abstract RemoteWorkers.Urls urls();

    /** Leaves broker and backend as new. */
    abstract void clear() throws Exception;

    @BeforeAll
    void startWorkerAndFlower() throws Exception {
        require();
        FlowerProcess.require();
        clear();
        workers = new RemoteWorkers(CLASS_CELERIAC, CLASS_PYTHON, dir, urls());
        worker = workers.subject("jvm1", "-E");
        flower = startFlower();
        // Flower knows a worker by the replies to its inspect broadcasts
        String[] last = {""};
        RemoteWorkers.await("Flower to list " + worker.node(), () -> {
            last[0] = getOrEmpty("/api/workers?refresh=1&workername=" + encode(worker.node()));
            return !last[0].isEmpty() && json(last[0]).path(worker.node()).path("stats").isObject();
        }, () -> last[0]);
    }

    /** A test on a worker that is gone would only time out: say so at once. */
    @BeforeEach
    void workerRuns() {
        assertThat(worker.process().isAlive()).as("the class's worker %s still runs; its log:%n%s", worker.node(),
                worker.log().get()).isTrue();
    }

    @AfterAll
    void stopAll() throws InterruptedException {
        if (workers != null) {
            workers.close();
        }
        CLASS_PYTHON.killAll();
        CLASS_CELERIAC.killAll();
    }

    /** Starts Flower on the class's broker; returns its address once it answers. */
    private URI startFlower() throws IOException, InterruptedException {
        return FlowerProcess.launch(CLASS_PYTHON, dir, urls().pythonBroker()).awaitAnswering();
    }

    // ------------------------------------------------------------------------------------------- tests

    @Test
    void workersListsWorkerWithStatsQueuesAndRegisteredTasks() throws Exception {
        // Flower keeps each inspect method's latest reply; one slower than its --inspect_timeout comes next time
        JsonNode[] all = {null};
        RemoteWorkers.await("Flower to list " + worker.node() + " with its stats, queues and tasks", () -> {
            JsonNode info = (all[0] = json(get("/api/workers?refresh=1"))).path(worker.node());
            return info.path("stats").isObject() && info.path("active_queues").size() > 0
                    && info.path("registered").size() > 0;
        }, () -> String.valueOf(all[0]));

        JsonNode info = all[0].path(worker.node());
        assertThat(info.path("stats").path("pool").path("max-concurrency").asInt()).as("%s", info)
                .isGreaterThanOrEqualTo(2);
        List<String> queues = new ArrayList<>();
        info.path("active_queues").forEach(q -> queues.add(q.path("name").asText()));
        assertThat(queues).as("%s", info).contains("celery");
        List<String> registered = new ArrayList<>();
        info.path("registered").forEach(t -> registered.add(t.asText().replaceFirst(" \\[.*", "")));
        assertThat(registered).as("%s", info).contains("demo.add", "demo.sleep");
    }

    @Test
    void tasksShowSucceededTasksWithRuntimeAndResult() throws Exception {
        Map<String, Integer> sums = new HashMap<>();
        for (int i = 1; i <= 3; i++) {
            sums.put(workers.send("demo.add", i, 100), i + 100);
        }
        for (String id : sums.keySet()) {
            workers.awaitState(id, TaskState.SUCCESS);
        }

        JsonNode[] tasks = {null};
        RemoteWorkers.await("Flower to show the tasks succeeded", () -> {
            tasks[0] = json(get("/api/tasks"));
            return sums.keySet().stream().allMatch(id -> "SUCCESS".equals(tasks[0].path(id).path("state").asText()));
        }, () -> String.valueOf(tasks[0]));
        for (Map.Entry<String, Integer> e : sums.entrySet()) {
            JsonNode task = tasks[0].path(e.getKey());
            assertThat(task.path("name").asText()).as("%s", task).isEqualTo("demo.add");
            assertThat(task.path("worker").asText()).as("%s", task).isEqualTo(worker.node());
            assertThat(task.path("result").asText()).as("%s", task).isEqualTo(e.getValue().toString());
            assertThat(task.path("runtime").isNumber()).as("runtime in %s", task).isTrue();
            assertThat(task.path("runtime").asDouble()).as("%s", task).isGreaterThanOrEqualTo(0.0);

            JsonNode info = json(get("/api/task/info/" + e.getKey()));
            assertThat(info.path("state").asText()).as("%s", info).isEqualTo("SUCCESS");
            assertThat(info.path("uuid").asText()).isEqualTo(e.getKey());
            assertThat(info.path("result").asText()).as("%s", info).isEqualTo(e.getValue().toString());
            assertThat(info.path("runtime").isNumber()).as("runtime in %s", info).isTrue();
        }
    }

    @Test
    void metricsCountTaskEventsAndWorkerOnline() throws Exception {
        Map<String, String> succeeded = Map.of("worker", worker.node(), "type", "task-succeeded", "task", "demo.add");
        Map<String, String> received = Map.of("worker", worker.node(), "type", "task-received", "task", "demo.add");
        String before = get("/metrics");
        double succeededBefore = sample(before, "flower_events_total", succeeded);
        double receivedBefore = sample(before, "flower_events_total", received);

        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(workers.send("demo.add", i, i));
        }
        for (String id : ids) {
            workers.awaitState(id, TaskState.SUCCESS);
        }

        String[] metrics = {before};
        RemoteWorkers.await("flower_events_total of task-succeeded to count 3 more", () ->
                sample(metrics[0] = get("/metrics"), "flower_events_total", succeeded) >= succeededBefore + 3,
                () -> metrics[0]);
        assertThat(sample(metrics[0], "flower_events_total", received)).as(metrics[0])
                .isGreaterThanOrEqualTo(receivedBefore + 3);
        assertThat(sample(metrics[0], "flower_worker_online", Map.of("worker", worker.node()))).as(metrics[0])
                .isEqualTo(1.0);
    }

    @Test
    void poolGrowFromFlowerGrowsWorkersPool() throws Exception {
        int before = worker.poolSize(refreshedWorker().path("stats"));

        String reply = post("/api/worker/pool/grow/" + encode(worker.node()) + "?n=1");

        // Flower says so only when the worker's reply was ok
        assertThat(json(reply).path("message").asText()).as(reply)
                .isEqualTo("Growing '" + worker.node() + "' worker's pool by 1");
        int[] now = {before};
        RemoteWorkers.await("the pool to grow from " + before + " by 1",
                () -> (now[0] = worker.poolSize(refreshedWorker().path("stats"))) == before + 1,
                () -> "pool size " + now[0]);
    }

    @Test
    void revokeFromFlowerEndsCountdownTaskRevoked() throws Exception {
        String id = workers.send("demo.add", List.of(5, 6),
                SendOptions.defaults().countdown(RemoteControlInteropContract.COUNTDOWN));

        String reply = post("/api/task/revoke/" + id);

        assertThat(json(reply).path("message").asText()).as(reply).isEqualTo("Revoked '" + id + "'");
        workers.awaitState(id, TaskState.REVOKED);
        // and Flower learns it from the worker's task-revoked event
        String[] info = {""};
        RemoteWorkers.await("Flower to show " + id + " REVOKED",
                () -> !(info[0] = getOrEmpty("/api/task/info/" + id)).isEmpty()
                        && "REVOKED".equals(json(info[0]).path("state").asText()),
                () -> info[0]);
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** The worker's entry of {@code /api/workers?refresh=1&workername=NODE}: Flower asks it afresh. */
    private JsonNode refreshedWorker() throws IOException, InterruptedException {
        return json(get("/api/workers?refresh=1&workername=" + encode(worker.node()))).path(worker.node());
    }

    /** The sum of the samples of {@code name} that have all of {@code labels}; 0 when there is none. */
    static double sample(String metrics, String name, Map<String, String> labels) {
        double sum = 0;
        Matcher m = SAMPLE.matcher(metrics);
        while (m.find()) {
            if (!m.group(1).equals(name)) {
                continue;
            }
            Map<String, String> has = new HashMap<>();
            Matcher l = LABEL.matcher(m.group(2));
            while (l.find()) {
                has.put(l.group(1), l.group(2));
            }
            if (has.entrySet().containsAll(labels.entrySet())) {
                sum += Double.parseDouble(m.group(3));
            }
        }
        return sum;
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(flower.resolve(path)).GET());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return r.body();
    }

    /** GET's body, or "" when Flower does not know it yet (404: an unknown task or worker). */
    private String getOrEmpty(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(flower.resolve(path)).GET());
        return r.statusCode() == 404 ? "" : r.body();
    }

    private String post(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = send(HttpRequest.newBuilder(flower.resolve(path))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(r.statusCode()).as("POST %s: %s", path, r.body()).isEqualTo(200);
        return r.body();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(RemoteWorkers.WAIT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(String body) {
        return RemoteWorkers.json(body);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
