package org.celeriac.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.config.Settings;
import org.celeriac.examples.demo.DemoTasks;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.worker.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The monitor's API against a worker sending events on the in-memory broker, read as a Flower client reads it. */
class MonitorServerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private Celeriac app;
    private Worker worker;
    private Subscription events;
    private MonitorServer server;
    private final ClusterState state = new ClusterState(100);

    @BeforeEach
    void start() throws Exception {
        app = Celeriac.open(Celeriac.inMemory(UUID.randomUUID().toString())
                .with(Settings.WORKER_SEND_TASK_EVENTS, "true"));
        app.tasks().register(DemoTasks.class);
        events = app.events("#", state::apply);
        worker = app.worker(app.workerOptions().withHostname("mon@test").withConcurrency(2));
        worker.start();
    }

    private void serve(String basicAuth) throws Exception {
        server = new MonitorServer(state, app, new InetSocketAddress("127.0.0.1", 0), basicAuth, Duration.ofSeconds(1));
        server.start();
    }

    private void serveWith(ApiAuth auth) throws Exception {
        server = MonitorServer.withAuth(state, app, new InetSocketAddress("127.0.0.1", 0), auth, Duration.ofSeconds(1));
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        worker.close();
        events.close();
        app.close();
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path));
        if (authorization != null) {
            r.header("Authorization", authorization);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String contentType, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.address().getPort() + path))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private Map<String, Object> postJson(String path, String contentType, String body) throws Exception {
        HttpResponse<String> r = post(path, contentType, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readValue(r.body(), new TypeReference<Map<String, Object>>() { });
    }

    private Map<String, Object> getJson(String path) throws Exception {
        HttpResponse<String> r = get(path, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readValue(r.body(), new TypeReference<Map<String, Object>>() { });
    }

    /** Polls until the state has seen what the assertion wants. */
    private static void eventually(Runnable assertion) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }

    @Test
    void tasksAppearWithFlowersFieldsAndTheirFinalState() throws Exception {
        serve(null);
        AsyncResult ok = app.client().send("demo.add", List.of(2, 3), Map.of());
        AsyncResult bad = app.client().send("demo.fail", List.of("boom"), Map.of());
        ok.get(WAIT);

        eventually(() -> assertThat(state.task(bad.id()).map(t -> t.get("state"))).contains("FAILURE"));
        eventually(() -> assertThat(state.task(ok.id()).map(t -> t.get("state"))).contains("SUCCESS"));

        Map<String, Object> tasks = getJson("/api/tasks");
        assertThat(tasks).containsKeys(ok.id(), bad.id());
        @SuppressWarnings("unchecked")
        Map<String, Object> added = (Map<String, Object>) tasks.get(ok.id());
        assertThat(added).containsKeys("uuid", "name", "state", "received", "sent", "started", "rejected",
                "succeeded", "failed", "retried", "revoked", "args", "kwargs", "eta", "expires", "retries", "worker",
                "result", "exception", "timestamp", "runtime", "traceback", "exchange", "routing_key", "clock",
                "client", "root_id", "parent_id");
        assertThat(added).containsEntry("name", "demo.add").containsEntry("state", "SUCCESS")
                .containsEntry("args", "[2, 3]").containsEntry("result", "5").containsEntry("worker", "mon@test");
        assertThat(getJson("/api/tasks?state=FAILURE")).containsOnlyKeys(bad.id());
        assertThat(getJson("/api/tasks?taskname=demo.add&limit=1")).containsOnlyKeys(ok.id());
        assertThat(getJson("/api/task/info/" + bad.id())).containsEntry("state", "FAILURE")
                .containsEntry("exception", "IllegalStateException('boom')");
        assertThat(getJson("/api/task/types")).isEqualTo(Map.of("task-types", List.of("demo.add", "demo.fail")));
        assertThat(getJson("/api/task/result/" + ok.id())).isEqualTo(Map.of("task-id", ok.id(), "state", "SUCCESS",
                "result", 5));
        assertThat(get("/api/task/info/no-such-task", null).statusCode()).isEqualTo(404);
    }

    @Test
    @SuppressWarnings("unchecked")
    void workersAreListedAliveByHeartbeatAndWithTheirInspectReplies() throws Exception {
        serve(null);
        eventually(() -> assertThat(state.workerStatus()).containsEntry("mon@test", true));

        assertThat(getJson("/api/workers?status=true")).isEqualTo(Map.of("mon@test", true));
        Map<String, Object> workers = getJson("/api/workers?refresh=true");
        assertThat(workers).containsKey("mon@test");
        @SuppressWarnings("unchecked")
        Map<String, Object> info = (Map<String, Object>) workers.get("mon@test");
        assertThat(info).containsKeys("stats", "active_queues", "registered", "scheduled", "active", "reserved",
                "revoked", "conf", "timestamp");
        assertThat((List<Object>) info.get("registered")).contains("demo.add");
        assertThat(get("/api/workers?workername=nobody@nowhere", null).statusCode()).isEqualTo(404);
        assertThat(get("/healthcheck", null).body()).isEqualTo("OK");
    }

    @Test
    void withBasicAuthEveryRequestNeedsThePassword() throws Exception {
        serve("admin:s3cret");

        assertThat(get("/api/tasks", null).statusCode()).isEqualTo(401);
        assertThat(get("/healthcheck", basic("admin:wrong")).statusCode()).isEqualTo(401);
        assertThat(get("/api/tasks", basic("admin:s3cret")).statusCode()).isEqualTo(200);
    }

    private static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void tasksAreSentAndAppliedAndWorkersSteeredAtFlowersPaths() throws Exception {
        serve(null);
        eventually(() -> assertThat(state.workerStatus()).containsEntry("mon@test", true));

        Map<String, Object> sent = postJson("/api/task/send-task/demo.add", "application/json",
                "{\"args\": [1, 2], \"queue\": \"celery\"}");
        assertThat(app.client().result((String) sent.get("task-id")).get(WAIT)).isEqualTo(3);
        assertThat(postJson("/api/task/apply/demo.mul", "application/json", "{\"args\": [6, 7]}"))
                .containsEntry("state", "SUCCESS").containsEntry("result", 42);
        assertThat(postJson("/api/task/rate-limit/demo.add", "application/x-www-form-urlencoded",
                "ratelimit=100%2Fs&workername=mon%40test"))
                .isEqualTo(Map.of("message", "new rate limit set successfully"));
        assertThat(postJson("/api/worker/pool/grow/mon@test?n=2", "application/x-www-form-urlencoded", ""))
                .isEqualTo(Map.of("message", "Growing 'mon@test' worker's pool by 2"));
        assertThat(post("/api/worker/pool/grow/nobody@nowhere", "application/x-www-form-urlencoded", "")
                .statusCode()).isEqualTo(404);
        assertThat(getJson("/api/queues/length"))
                .isEqualTo(Map.of("active_queues", List.of(Map.of("name", "celery", "messages", 0))));
    }

    @Test
    void metricsCarryFlowersNamesAndLabels() throws Exception {
        serve(null);
        AsyncResult r = app.client().send("demo.add", List.of(2, 3), Map.of());
        r.get(WAIT);
        eventually(() -> assertThat(state.task(r.id()).map(t -> t.get("state"))).contains("SUCCESS"));
        eventually(() -> assertThat(state.workerStatus()).containsEntry("mon@test", true));

        String metrics = get("/metrics", null).body();
        assertThat(metrics)
                .contains("flower_events_total{worker=\"mon@test\",type=\"task-succeeded\",task=\"demo.add\"} 1.0")
                .contains("flower_task_runtime_seconds_count{worker=\"mon@test\",task=\"demo.add\"} 1.0")
                .contains("flower_task_runtime_seconds_bucket{worker=\"mon@test\",task=\"demo.add\",le=\"+Inf\"} 1.0")
                .contains("flower_worker_online{worker=\"mon@test\"} 1.0")
                .contains("# TYPE flower_worker_number_of_currently_executing_tasks gauge");
    }

    @Test
    void apiTokensAreTakenOnTheApiAndMetricsAlongsideBasicAuth() throws Exception {
        serveWith(ApiAuth.of("admin:s3cret", List.of("tok-1", "tok-2")));

        assertThat(get("/api/tasks", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/tasks", "Bearer tok-2").statusCode()).isEqualTo(200);
        assertThat(get("/metrics", "Bearer tok-1").statusCode()).isEqualTo(200);
        assertThat(get("/api/tasks", "Bearer tok-3").statusCode()).isEqualTo(401);
        assertThat(get("/api/tasks", basic("admin:s3cret")).statusCode()).isEqualTo(200);
        // a token is for scripts: the pages want the password
        assertThat(get("/", "Bearer tok-1").statusCode()).isEqualTo(401);
        assertThat(get("/", basic("admin:s3cret")).statusCode()).isEqualTo(200);
    }

    @Test
    void withTokensAloneARequestWithoutOneIsRefused() throws Exception {
        serveWith(ApiAuth.of(null, ApiAuth.splitTokens(" t1 ,, t2")));

        assertThat(get("/api/workers?status=1", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/workers?status=1", basic("admin:t1")).statusCode()).isEqualTo(401);
        assertThat(get("/api/workers?status=1", "bearer t2").statusCode()).isEqualTo(200);
        assertThat(ApiAuth.of(null, List.of("secret-token")).toString()).doesNotContain("secret-token");
    }

    @Test
    void abortStoresAbortedForTheTaskInTheResultBackend() throws Exception {
        serve(null);
        String id = UUID.randomUUID().toString();

        assertThat(postJson("/api/task/abort/" + id, "application/x-www-form-urlencoded", ""))
                .isEqualTo(Map.of("message", "Aborted '" + id + "'"));
        assertThat(getJson("/api/task/result/" + id)).isEqualTo(Map.of("task-id", id, "state", "ABORTED"));
        assertThat(app.backend().get(id).map(r -> r.state().name())).contains("ABORTED");
    }

    @Test
    void urlsAreShownWithTheirPasswordsMaskedAsFlowerShowsThem() {
        assertThat(UrlMasking.mask("amqp://guest:guest@rabbit:5672//")).isEqualTo("amqp://guest:**@rabbit:5672//");
        assertThat(UrlMasking.mask("redis://:p@ss@redis:6379/0")).isEqualTo("redis://:**@redis:6379/0");
        assertThat(UrlMasking.mask("sqla+postgresql://u:pw@db/x?password=pw2&sslmode=off"))
                .isEqualTo("sqla+postgresql://u:**@db/x?password=**&sslmode=off");
        assertThat(UrlMasking.mask("redis://redis:6379/0")).isEqualTo("redis://redis:6379/0");
        assertThat(UrlMasking.maskAll(Map.of("conf", Map.of("broker_url", List.of("amqp://a:b@h//")))))
                .isEqualTo(Map.of("conf", Map.of("broker_url", List.of("amqp://a:**@h//"))));
    }

    @Test
    void errorsAreAnsweredAsFlowerAnswersThem() throws Exception {
        serve(null);
        eventually(() -> assertThat(state.workerStatus()).containsEntry("mon@test", true));
        String form = "application/x-www-form-urlencoded";

        HttpResponse<String> unknownTask = get("/api/task/info/no-such-task", null);
        assertThat(unknownTask.statusCode()).isEqualTo(404);
        assertThat(unknownTask.body()).isEmpty();
        HttpResponse<String> unknownWorker = get("/api/workers?workername=nobody@nowhere", null);
        assertThat(unknownWorker.body()).isEqualTo("Unknown worker 'nobody@nowhere'");
        assertThat(post("/api/worker/pool/grow/mon@test?n=many", form, "").body())
                .isEqualTo("Invalid argument 'many' of type 'int'");
        assertThat(post("/api/worker/pool/autoscale/mon@test?max=3", form, "").body())
                .isEqualTo("Missing argument min");
        assertThat(post("/api/task/rate-limit/demo.add", form, "ratelimit=1%2Fs").body())
                .isEqualTo("Missing argument workername");
        assertThat(post("/api/task/rate-limit/no.such.task", form, "ratelimit=1%2Fs&workername=mon%40test").body())
                .isEqualTo("Unknown task 'no.such.task'");
        assertThat(post("/api/task/revoke/x?terminate=perhaps", form, "").statusCode()).isEqualTo(400);
        assertThat(post("/api/task/send-task/demo.add", "application/json", "{\"args\": 1}").statusCode())
                .isEqualTo(400);
        assertThat(post("/api/task/apply/no.such.task", "application/json", "{}").statusCode()).isEqualTo(404);
        assertThat(get("/api/tasks?offset=x", null).statusCode()).isEqualTo(400);
        assertThat(get("/api/tasks?sort_by=args", null).statusCode()).isEqualTo(400);
        assertThat(get("/api/workers?refresh=maybe", null).statusCode()).isEqualTo(400);
    }

    @Test
    @SuppressWarnings("unchecked")
    void tasksAreSearchedAndFilteredByReceivedTimeAsFlower() throws Exception {
        serve(null);
        AsyncResult ok = app.client().send("demo.add", List.of(20, 22), Map.of());
        AsyncResult bad = app.client().send("demo.fail", List.of("boom"), Map.of());
        ok.get(WAIT);
        eventually(() -> assertThat(state.task(bad.id()).map(t -> t.get("state"))).contains("FAILURE"));
        eventually(() -> assertThat(state.task(ok.id()).map(t -> t.get("state"))).contains("SUCCESS"));

        assertThat(getJson("/api/tasks?search=result%3A42")).containsOnlyKeys(ok.id());
        assertThat(getJson("/api/tasks?search=state%3AFAILURE")).containsOnlyKeys(bad.id());
        assertThat(getJson("/api/tasks?search=args%3A20")).containsOnlyKeys(ok.id());
        assertThat(getJson("/api/tasks?search=demo.fail")).containsOnlyKeys(bad.id());
        assertThat(getJson("/api/tasks?received_start=2000-01-01+00%3A00")).containsOnlyKeys(ok.id(), bad.id());
        assertThat(getJson("/api/tasks?received_end=2000-01-01+00%3A00")).isEmpty();
        Map<String, Object> info = getJson("/api/task/info/" + ok.id());
        assertThat(info).containsKeys("root", "parent", "children");
        Map<String, Object> failed = getJson("/api/task/result/" + bad.id() + "?timeout=1");
        assertThat(failed).containsEntry("state", "FAILURE").containsEntry("result", "IllegalStateException('boom')")
                .containsKey("traceback");
    }
}
