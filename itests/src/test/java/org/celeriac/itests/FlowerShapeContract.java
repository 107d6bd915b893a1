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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.celeriac.client.SendOptions;
import org.celeriac.spi.backend.TaskState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Celeriac's monitor answers each of Flower's API paths in Flower's shape: real Flower 2.0.1 and
 * {@code celeriac monitor} watch one broker (a subclass names it) where a Celeriac worker and a Python Celery worker,
 * both sending events ({@code -E}), run the same tasks; then each path is asked of both and the JSON compared by
 * shape ({@link JsonShapes}: the same keys at every level, the same JSON types), and where the values must agree too
 * (task ids, task types, a worker's own replies, error bodies) by value.
 *
 * <p>Flower runs with {@code -A rcapp}, the app module of {@link RemoteWorkers}, so that it knows the tasks
 * ({@code apply} and {@code async-apply} refuse others) and the result backend. Each worker consumes a queue of its
 * own, so that each runs the tasks sent to it.
 *
 * <p>Every JSON answer has Flower's shape. Where Celeriac differs on purpose it is in a status or an error's text,
 * each said where it is checked: a missing argument is a 400 that names it (Flower reads it as {@code '[]'},
 * {@link #missingArgument}); a bad {@code limit} or {@code sort_by} a 400 (Flower fails with 500); queue lengths on
 * RabbitMQ come from the broker itself (Flower asks the management plugin, {@link #flowerListsQueueLengths()}); and
 * {@code /metrics} has no {@code _created} samples (prometheus_client's, which Flower's dashboard does not read).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class FlowerShapeContract {
    /** How long both monitors get to have taken in the same events; the brokers here deliver in well under it. */
    private static final Duration SETTLE = Duration.ofSeconds(20);
    private static final Pattern MONITOR_AT = Pattern.compile("celeriac monitor: (http://\\S+?)/ ");
    private static final Pattern TYPE_LINE = Pattern.compile("(?m)^# TYPE (flower_\\w+) (\\w+)$");
    private static final Pattern SAMPLE = Pattern.compile("(?m)^(flower_\\w+)(?:\\{([^}]*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final String NOBODY = "nobody@nowhere";

    @RegisterExtension
    static final CeleriacProcesses CLASS_CELERIAC = CeleriacProcesses.classWide();

    @RegisterExtension
    static final PythonProcesses CLASS_PYTHON = PythonProcesses.classWide();

    @TempDir
    static Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private RemoteWorkers workers;
    private RemoteWorkers.Worker jvm;
    private RemoteWorkers.Worker py;
    private URI flower;
    private URI celeriac;
    /** The tasks of the class: each worker's success and failure. */
    private final Map<String, String> tasks = new TreeMap<>();

    /** Skips the class (fails it under CI) when its broker is missing; called before anything else. */
    abstract void require() throws Exception;

    /** The broker and result backend of this class alone. */
    abstract RemoteWorkers.Urls urls();

    /** Leaves broker and backend as new. */
    abstract void clear() throws Exception;

    /** Whether Flower lists queue lengths on this broker (on RabbitMQ it asks the management plugin, absent here). */
    abstract boolean flowerListsQueueLengths();

    @BeforeAll
    void startMonitorsWorkersAndTasks() throws Exception {
        require();
        FlowerProcess.require();
        clear();
        workers = new RemoteWorkers(CLASS_CELERIAC, CLASS_PYTHON, dir, urls());
        // both monitors first, so that both hear every event
        FlowerProcess flowerProcess = FlowerProcess.launch(CLASS_PYTHON, dir, urls().pythonBroker(),
                "-A", RemoteWorkers.APP);
        int monitorPort = LoopbackPorts.free("CELERIAC_TEST_MONITOR_PORTS", 1, p -> p == flowerProcess.port());
        CeleriacProcesses.Child monitor = workers.startCeleriac("monitor", "--port", Integer.toString(monitorPort),
                "--inspect-timeout", "2");
        flower = flowerProcess.awaitAnswering();
        String[] at = {null};
        RemoteWorkers.await("celeriac monitor to say where it listens", () -> {
            Matcher m = MONITOR_AT.matcher(monitor.out());
            if (m.find()) {
                at[0] = m.group(1);
                return true;
            }
            assertThat(monitor.process().isAlive()).as("celeriac monitor: %s", monitor.err()).isTrue();
            return false;
        }, monitor::err);
        celeriac = URI.create(at[0]);

        jvm = workers.start(RemoteWorkers.Kind.CELERIAC, "shapejvm", "-E", "-Q", "shape-jvm");
        py = workers.start(RemoteWorkers.Kind.PYTHON, "shapepy", "-E", "-Q", "shape-py");
        for (RemoteWorkers.Worker w : List.of(jvm, py)) {
            String queue = queueOf(w);
            tasks.put(workers.send("demo.add", List.of(2, 3), SendOptions.defaults().queue(queue)), "SUCCESS");
            tasks.put(workers.send("demo.add", List.of(1, "x"), SendOptions.defaults().queue(queue)), "FAILURE");
        }
        for (Map.Entry<String, String> t : tasks.entrySet()) {
            workers.awaitState(t.getKey(), TaskState.valueOf(t.getValue()));
        }
        // both know both workers by inspect, and every task in its final state by the events
        for (URI monitorAt : List.of(flower, celeriac)) {
            String[] last = {""};
            RemoteWorkers.await(monitorAt + " to list both workers with every reply", () -> {
                JsonNode all = json(last[0] = get(monitorAt, "/api/workers?refresh=1").body());
                return List.of(jvm.node(), py.node()).stream().allMatch(n -> all.path(n).path("stats").isObject()
                        && all.path(n).path("active_queues").isArray() && all.path(n).path("registered").isArray()
                        && all.path(n).path("conf").isObject());
            }, () -> last[0]);
            RemoteWorkers.await(monitorAt + " to have every task in its final state", () -> {
                JsonNode all = json(last[0] = get(monitorAt, "/api/tasks").body());
                return tasks.entrySet().stream()
                        .allMatch(t -> t.getValue().equals(all.path(t.getKey()).path("state").asText()));
            }, () -> last[0]);
        }
    }

    @AfterAll
    void stopAll() throws InterruptedException {
        if (workers != null) {
            workers.close();
        }
        CLASS_PYTHON.killAll();
        CLASS_CELERIAC.killAll();
    }

    private static String queueOf(RemoteWorkers.Worker w) {
        return w.kind() == RemoteWorkers.Kind.CELERIAC ? "shape-jvm" : "shape-py";
    }

    // ------------------------------------------------------------------------------------------- tests

    /** The comparison itself, on Flower's own answer: it must see a key missing and a value of another type. */
    @Test
    @Order(0)
    void shapeComparisonSeesAMissingKeyAndAnotherType() throws Exception {
        JsonNode flowers = json(get(flower, "/api/tasks").body());
        String id = tasks.entrySet().stream().filter(t -> t.getValue().equals("SUCCESS")).findFirst().orElseThrow()
                .getKey(); // a task with a runtime
        com.fasterxml.jackson.databind.node.ObjectNode changed = flowers.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) changed.path(id)).remove("children");
        ((com.fasterxml.jackson.databind.node.ObjectNode) changed.path(id)).put("runtime", "fast");

        assertThat(JsonShapes.differences(flowers, flowers)).isEmpty();
        assertThat(JsonShapes.differences(flowers, changed)).containsExactlyInAnyOrder(
                "$." + id + ".children: only Flower has it",
                "$." + id + ".runtime: Flower has number " + flowers.path(id).path("runtime") + ", Celeriac string \"fast\"");
    }

    @Test
    @Order(1)
    void workersListBothWorkersInFlowersShape() throws Exception {
        Both all = awaitSameShape("/api/workers?refresh=1");
        assertThat(JsonShapes.keys(all.celeriac().json())).containsExactlyInAnyOrderElementsOf(
                JsonShapes.keys(all.flower().json())).contains(jvm.node(), py.node());
        // the workers' own replies, passed on as they came: the same task names and queues
        for (RemoteWorkers.Worker w : List.of(jvm, py)) {
            assertThat(names(all.celeriac().json().path(w.node()).path("active_queues")))
                    .isEqualTo(names(all.flower().json().path(w.node()).path("active_queues")));
            assertThat(all.celeriac().json().path(w.node()).path("registered"))
                    .isEqualTo(all.flower().json().path(w.node()).path("registered"));
            String one = "/api/workers?workername=" + encode(w.node());
            assertThat(JsonShapes.keys(awaitSameShape(one).celeriac().json())).containsExactly(w.node());
            awaitSameShape(one + "&refresh=1");
        }
        Both status = awaitSameShape("/api/workers?status=1");
        assertThat(status.celeriac().json()).isEqualTo(status.flower().json());
        assertThat(status.celeriac().json().path(jvm.node()).asBoolean()).isTrue();
        assertThat(status.celeriac().json().path(py.node()).asBoolean()).isTrue();

        Both unknown = sameAnswer(getBoth("/api/workers?workername=" + NOBODY));
        assertThat(unknown.flower().status()).isEqualTo(404);
        Both badBool = sameAnswer(getBoth("/api/workers?status=maybe"));
        assertThat(badBool.flower().status()).isEqualTo(400);
    }

    @Test
    @Order(2)
    void tasksListTheTasksOfBothWorkersFilteredSortedAndPagedAsFlower() throws Exception {
        Both all = awaitSameShape("/api/tasks");
        assertThat(JsonShapes.keys(all.celeriac().json())).containsAll(tasks.keySet());
        for (String query : List.of("limit=2", "offset=1", "limit=1&offset=2", "sort_by=name", "sort_by=-received",
                "sort_by=state", "sort_by=-started", "workername=" + encode(jvm.node()),
                "workername=" + encode(py.node()), "taskname=demo.add", "taskname=All", "state=FAILURE",
                "state=SUCCESS", "received_start=" + encode("2000-01-01 00:00"),
                "received_end=" + encode("2000-01-01 00:00"), "received_end=" + encode("2100-01-01 00:00"),
                "search=demo.add", "search=" + encode("state:FAILURE"), "search=" + encode("args:2"),
                "search=" + encode("result:5"), "search=" + py.node(), "search=nothing-like-it")) {
            Both page = awaitSameShape("/api/tasks?" + query);
            // the same tasks in the same order: both saw the same events
            assertThat(JsonShapes.keys(page.celeriac().json())).as(query)
                    .isEqualTo(JsonShapes.keys(page.flower().json()));
        }
        assertThat(JsonShapes.keys(getBoth("/api/tasks?workername=" + encode(jvm.node())).celeriac().json()))
                .hasSize(2);
        sameAnswer(getBoth("/api/tasks?offset=many"));
        // Flower fails on a bad limit or sort_by with 500 (an uncaught ValueError, an assert); Celeriac says 400
        for (String bad : List.of("limit=many", "sort_by=args")) {
            Both both = getBoth("/api/tasks?" + bad);
            assertThat(both.flower().status()).as(bad).isEqualTo(500);
            assertThat(both.celeriac()).as(bad).isEqualTo(new Reply(400, ""));
        }
    }

    @Test
    @Order(3)
    void taskInfoTypesAndResultsAsFlower() throws Exception {
        Both types = awaitSameShape("/api/task/types");
        assertThat(types.celeriac().json()).isEqualTo(types.flower().json());
        for (String id : tasks.keySet()) {
            awaitSameShape("/api/task/info/" + id);
            Both result = awaitSameShape("/api/task/result/" + id);
            assertThat(result.celeriac().json().path("state")).isEqualTo(result.flower().json().path("state"));
            awaitSameShape("/api/task/result/" + id + "?timeout=1");
        }
        String unknown = UUID.randomUUID().toString();
        Both info = sameAnswer(getBoth("/api/task/info/" + unknown));
        assertThat(info.flower().status()).isEqualTo(404);
        Both pending = awaitSameShape("/api/task/result/" + unknown);
        assertThat(pending.celeriac().json().path("state").asText()).isEqualTo("PENDING");
    }

    @Test
    @Order(4)
    void tasksAreSentAppliedAbortedAndRevokedAsThroughFlower() throws Exception {
        for (String verb : List.of("send-task", "async-apply", "apply")) {
            String body = "{\"args\": [4, 5], \"queue\": \"" + queueOf(verb.equals("apply") ? py : jvm) + "\"}";
            Both sent = sameShape(postBoth("/api/task/" + verb + "/demo.add", "application/json", body));
            assertThat(sent.celeriac().status()).as(verb).isEqualTo(200);
            sameAnswer(postBoth("/api/task/" + verb + "/demo.add", "application/json", "{\"args\": 5}"));
            sameAnswer(postBoth("/api/task/" + verb + "/demo.add", "application/json", "not json"));
        }
        sameAnswer(postBoth("/api/task/apply/no.such.task", "application/json", "{}"));
        sameAnswer(postBoth("/api/task/async-apply/no.such.task", "application/json", "{}"));

        // abort: ABORTED in the result backend, which either monitor then reads back
        String byFlower = UUID.randomUUID().toString();
        String byCeleriac = UUID.randomUUID().toString();
        Both aborted = new Both(post(flower, "/api/task/abort/" + byFlower, null, ""),
                post(celeriac, "/api/task/abort/" + byCeleriac, null, ""));
        sameShape(aborted);
        assertThat(aborted.celeriac().json().path("message").asText()).isEqualTo("Aborted '" + byCeleriac + "'");
        for (String id : List.of(byFlower, byCeleriac)) {
            Both result = sameAnswer(getBoth("/api/task/result/" + id));
            assertThat(result.celeriac().json().path("state").asText()).isEqualTo("ABORTED");
        }

        String revoked = UUID.randomUUID().toString();
        Both revokes = sameAnswer(postBoth("/api/task/revoke/" + revoked + "?terminate=false", null, ""));
        assertThat(revokes.celeriac().json().path("message").asText()).isEqualTo("Revoked '" + revoked + "'");
        sameAnswer(postBoth("/api/task/revoke/" + revoked + "?terminate=perhaps", null, ""));
    }

    @Test
    @Order(5)
    void rateAndTimeLimitsAreSetOnEachWorkerAsThroughFlower() throws Exception {
        String form = "application/x-www-form-urlencoded";
        for (RemoteWorkers.Worker w : List.of(jvm, py)) {
            String worker = "workername=" + encode(w.node());
            Both rate = sameAnswer(postBoth("/api/task/rate-limit/demo.add", form, "ratelimit=1000%2Fs&" + worker));
            assertThat(rate.celeriac().status()).as("%s", rate).isEqualTo(200);
            Both limits = sameAnswer(postBoth("/api/task/timeout/demo.sleep", form, "soft=30&hard=60&" + worker));
            assertThat(limits.celeriac().status()).as("%s", limits).isEqualTo(200);
            sameAnswer(postBoth("/api/task/timeout/demo.sleep", form, "soft=soon&" + worker));
            sameAnswer(postBoth("/api/task/rate-limit/no.such.task", form, "ratelimit=1%2Fs&" + worker));
        }
        sameAnswer(postBoth("/api/task/rate-limit/demo.add", form, "ratelimit=1%2Fs&workername=" + NOBODY));
        // Flower reads a missing argument as '[]' (its get_argument's default), here it is a 400 that says so
        missingArgument(postBoth("/api/task/rate-limit/demo.add", form, "ratelimit=1%2Fs"), "workername",
                404, "Unknown worker '[]'");
        missingArgument(postBoth("/api/task/timeout/demo.sleep", form, "soft=1"), "workername",
                404, "Unknown worker '[]'");
    }

    @Test
    @Order(6)
    void poolsAndConsumersAreSteeredOnEachWorkerAsThroughFlower() throws Exception {
        for (RemoteWorkers.Worker w : List.of(jvm, py)) {
            String node = encode(w.node());
            List<String> actions = List.of("pool/grow/" + node + "?n=1", "pool/shrink/" + node + "?n=1",
                    "queue/add-consumer/" + node + "?queue=shape-extra",
                    "queue/cancel-consumer/" + node + "?queue=shape-extra");
            // the actions through Flower, then through Celeriac, so that the worker ends each round as it began
            Map<URI, List<Reply>> replies = new java.util.HashMap<>();
            for (URI monitor : List.of(flower, celeriac)) {
                List<Reply> answered = new ArrayList<>();
                for (String action : actions) {
                    answered.add(post(monitor, "/api/worker/" + action, null, ""));
                }
                replies.put(monitor, answered);
            }
            for (int i = 0; i < actions.size(); i++) {
                Both both = new Both(replies.get(flower).get(i), replies.get(celeriac).get(i));
                assertThat(both.celeriac().status()).as("%s: %s", actions.get(i), both).isEqualTo(200);
                sameJson(both);
            }
            sameAnswer(postBoth("/api/worker/pool/restart/" + node, null, ""));
            sameAnswer(postBoth("/api/worker/pool/autoscale/" + node + "?min=1&max=2", null, ""));
            sameAnswer(postBoth("/api/worker/pool/grow/" + node + "?n=several", null, ""));
            missingArgument(postBoth("/api/worker/pool/autoscale/" + node + "?max=2", null, ""), "min",
                    400, "Invalid argument '[]' of type 'int'");
        }
        for (String action : List.of("pool/grow", "pool/shrink", "pool/restart", "pool/autoscale",
                "queue/add-consumer", "queue/cancel-consumer", "shutdown")) {
            Both unknown = sameAnswer(postBoth("/api/worker/" + action + "/" + NOBODY + "?queue=q&n=1", null, ""));
            assertThat(unknown.flower().status()).as(action).isEqualTo(404);
        }
    }

    @Test
    @Order(7)
    void queueLengthsHealthAndMetricsAsFlower() throws Exception {
        Both queues = awaitSameShape("/api/queues/length");
        if (flowerListsQueueLengths()) {
            assertThat(queues.celeriac().json()).isEqualTo(queues.flower().json());
        } else {
            assertThat(queues.flower().json().path("active_queues")).isEmpty();
            assertThat(queues.celeriac().json().path("active_queues").findValuesAsText("name"))
                    .containsExactly("shape-jvm", "shape-py");
        }
        Both health = getBoth("/healthcheck");
        assertThat(health.celeriac()).isEqualTo(health.flower());

        Both metrics = getBoth("/metrics");
        assertThat(metricTypes(metrics.celeriac().body())).isEqualTo(metricTypes(metrics.flower().body()));
        assertThat(labelNames(metrics.celeriac().body())).isEqualTo(labelNames(metrics.flower().body()));
        for (String series : List.of("flower_events_total", "flower_worker_online")) {
            assertThat(labelValues(metrics.celeriac().body(), series)).as(series)
                    .containsAll(labelValues(metrics.flower().body(), series));
        }
    }

    @Test
    @Order(8)
    void shutdownStopsEachWorkerAsThroughFlower() throws Exception {
        Both shutdown = new Both(post(flower, "/api/worker/shutdown/" + encode(py.node()), null, ""),
                post(celeriac, "/api/worker/shutdown/" + encode(jvm.node()), null, ""));
        assertThat(shutdown.celeriac().status()).isEqualTo(shutdown.flower().status());
        assertThat(shutdown.celeriac().json()).isEqualTo(shutdown.flower().json());
        py.awaitExit();
        jvm.awaitExit();
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** A reply: its status and body. */
    record Reply(int status, String body) {
        JsonNode json() {
            return RemoteWorkers.json(body);
        }

        boolean isJson() {
            String b = body.strip();
            return b.startsWith("{") || b.startsWith("[");
        }
    }

    /** Flower's reply and Celeriac's to the same request. */
    record Both(Reply flower, Reply celeriac) {
    }

    /** The differences of two replies: status, then the JSON's shape, or the text. */
    private static List<String> differences(Both both) {
        List<String> out = new ArrayList<>();
        if (both.flower().status() != both.celeriac().status()) {
            out.add("status: Flower " + both.flower().status() + ", Celeriac " + both.celeriac().status());
        }
        if (both.flower().isJson() && both.celeriac().isJson()) {
            out.addAll(JsonShapes.differences(both.flower().json(), both.celeriac().json()));
        } else if (both.flower().isJson() || both.celeriac().isJson()) {
            out.add("body: Flower " + both.flower().body() + ", Celeriac " + both.celeriac().body());
        }
        return out;
    }

    /** Asserts the replies have the same status and shape. */
    private static Both sameShape(Both both) {
        assertThat(differences(both)).as("Flower %s%nCeleriac %s", both.flower(), both.celeriac()).isEmpty();
        return both;
    }

    /** Asserts the replies have the same status and the same JSON, values too (a worker's own answer). */
    private static void sameJson(Both both) {
        assertThat(both.celeriac().status()).as("%s", both).isEqualTo(both.flower().status());
        assertThat(both.celeriac().json()).as("%s", both).isEqualTo(both.flower().json());
    }

    /** Asserts the replies have the same status and shape, and a text body the same text (an error's reason). */
    private static Both sameAnswer(Both both) {
        sameShape(both);
        if (!both.flower().isJson()) {
            assertThat(both.celeriac().body()).as("the body of Celeriac's %s", both.celeriac())
                    .isEqualTo(both.flower().body());
        }
        return both;
    }

    /**
     * Where Flower takes a missing argument for {@code []} (the default of its {@code get_argument}) and answers
     * {@code flowerStatus} and {@code flowerBody}, Celeriac answers 400 {@code Missing argument NAME}, on purpose.
     */
    private static void missingArgument(Both both, String name, int flowerStatus, String flowerBody) {
        assertThat(both.flower()).isEqualTo(new Reply(flowerStatus, flowerBody));
        assertThat(both.celeriac()).isEqualTo(new Reply(400, "Missing argument " + name));
    }

    /**
     * GETs {@code path} of both until their replies agree in status and shape (the monitors take in the same events
     * each in its time), at most {@link #SETTLE}; then asserts they do.
     */
    private Both awaitSameShape(String path) throws Exception {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        Both both = getBoth(path);
        while (!differences(both).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(200);
            both = getBoth(path);
        }
        return sameShape(both);
    }

    private Both getBoth(String path) throws IOException, InterruptedException {
        return new Both(get(flower, path), get(celeriac, path));
    }

    private Both postBoth(String path, String contentType, String body) throws IOException, InterruptedException {
        return new Both(post(flower, path, contentType, body), post(celeriac, path, contentType, body));
    }

    private Reply get(URI base, String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    private Reply post(URI base, String path, String contentType, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder r = HttpRequest.newBuilder(base.resolve(path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            r.header("Content-Type", contentType);
        }
        return send(r);
    }

    private Reply send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request.timeout(RemoteWorkers.WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
        return new Reply(r.statusCode(), r.body());
    }

    private static JsonNode json(String body) {
        return RemoteWorkers.json(body);
    }

    private static List<String> names(JsonNode queues) {
        List<String> names = new ArrayList<>();
        queues.forEach(q -> names.add(q.path("name").asText()));
        return names;
    }

    /** Each {@code flower_*} metric's type, by name. */
    private static Map<String, String> metricTypes(String metrics) {
        Map<String, String> types = new TreeMap<>();
        Matcher m = TYPE_LINE.matcher(metrics);
        while (m.find()) {
            if (!m.group(1).endsWith("_created")) {
                types.put(m.group(1), m.group(2));
            }
        }
        return types;
    }

    /**
     * Each sample name's label names. prometheus_client also writes {@code _created} samples (when a series began),
     * which Flower's dashboard does not read and Celeriac does not write.
     */
    private static Map<String, Set<String>> labelNames(String metrics) {
        Map<String, Set<String>> names = new TreeMap<>();
        Matcher m = SAMPLE.matcher(metrics);
        while (m.find()) {
            if (m.group(1).endsWith("_created")) {
                continue;
            }
            Set<String> labels = names.computeIfAbsent(m.group(1), k -> new TreeSet<>());
            Matcher l = LABEL.matcher(m.group(2) == null ? "" : m.group(2));
            while (l.find()) {
                labels.add(l.group(1));
            }
        }
        return names;
    }

    /** The label sets of one series' samples, each as a map by label name (their order in the text is no matter). */
    private static Set<String> labelValues(String metrics, String series) {
        Set<String> values = new TreeSet<>();
        Matcher m = SAMPLE.matcher(metrics);
        while (m.find()) {
            if (m.group(1).equals(series)) {
                Map<String, String> labels = new TreeMap<>();
                Matcher l = LABEL.matcher(m.group(2) == null ? "" : m.group(2));
                while (l.find()) {
                    labels.put(l.group(1), l.group(2));
                }
                values.add(labels.toString());
            }
        }
        return values;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
