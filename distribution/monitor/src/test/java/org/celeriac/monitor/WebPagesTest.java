package org.celeriac.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

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

/** The monitor's pages, live feed and chart data over HTTP, against a worker sending events on the in-memory broker. */
class WebPagesTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
    private final ClusterState state = new ClusterState(100);
    private Celeriac app;
    private Worker worker;
    private Subscription events;
    private MonitorServer server;

    @BeforeEach
    void start() {
        app = Celeriac.open(Celeriac.inMemory(UUID.randomUUID().toString())
                .with(Settings.WORKER_SEND_TASK_EVENTS, "true"));
        app.tasks().register(DemoTasks.class);
        events = app.events("#", state::apply);
        worker = app.worker(app.workerOptions().withHostname("web@test").withConcurrency(2));
        worker.start();
    }

    private void serve(String basicAuth) throws Exception {
        server = new MonitorServer(state, app, new InetSocketAddress("127.0.0.1", 0), basicAuth, Duration.ofSeconds(1));
        server.start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        worker.close();
        events.close();
        app.close();
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(uri(path)).timeout(WAIT);
        if (authorization != null) {
            r.header("Authorization", authorization);
        }
        return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.address().getPort() + path);
    }

    private Map<String, Object> getJson(String path) throws Exception {
        HttpResponse<String> r = get(path, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return json.readValue(r.body(), new TypeReference<>() { });
    }

    @Test
    void pagesAreServedAtFlowersPathsWithTheNavBarAndTheirScript() throws Exception {
        serve(null);
        Map<String, String> pages = Map.of("/", "dashboard", "/workers", "dashboard", "/worker/web@test", "worker",
                "/tasks", "tasks", "/task/some-id", "task", "/broker", "broker");
        for (Map.Entry<String, String> page : pages.entrySet()) {
            HttpResponse<String> r = get(page.getKey(), null);
            assertThat(r.statusCode()).as(page.getKey()).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
            assertThat(r.body()).as(page.getKey()).contains("<nav>", "href=\"/tasks\"", "/static/monitor.css",
                    "<script src=\"/static/" + page.getValue() + ".js\">").doesNotContain("{{");
        }
        for (String file : List.of("monitor.css", "common.js", "chart.js", "dashboard.js", "worker.js", "tasks.js",
                "task.js", "broker.js")) {
            HttpResponse<String> r = get("/static/" + file, null);
            assertThat(r.statusCode()).as(file).isEqualTo(200);
            assertThat(r.body()).isNotBlank();
        }
        assertThat(get("/static/layout.html", null).statusCode()).as("only scripts and styles").isEqualTo(404);
        assertThat(get("/static/../MonitorServer.class", null).statusCode()).isEqualTo(404);
        assertThat(get("/static/nothing.js", null).statusCode()).isEqualTo(404);
    }

    @Test
    void withBasicAuthThePagesAndTheLiveFeedNeedThePassword() throws Exception {
        serve("admin:s3cret");
        String good = "Basic " + Base64.getEncoder().encodeToString("admin:s3cret".getBytes(StandardCharsets.UTF_8));

        assertThat(get("/", null).statusCode()).isEqualTo(401);
        assertThat(get("/static/common.js", null).statusCode()).isEqualTo(401);
        assertThat(get("/api/stats/timeseries", null).statusCode()).isEqualTo(401);
        assertThat(get(LiveFeed.PATH, null).statusCode()).isEqualTo(401);
        assertThat(get("/", good).statusCode()).isEqualTo(200);
        HttpResponse<InputStream> live = http.send(HttpRequest.newBuilder(uri(LiveFeed.PATH))
                .header("Authorization", good).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = live.body()) {
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(live.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("text/event-stream"));
        }
    }

    @Test
    void theLiveFeedPushesATaskSentAfterConnectingUntilItSucceeds() throws Exception {
        serve(null);
        HttpResponse<InputStream> live = http.send(HttpRequest.newBuilder(uri(LiveFeed.PATH)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(live.body(), StandardCharsets.UTF_8))) {
            assertThat(lines.readLine()).startsWith("retry: ");
            AsyncResult r = app.client().send("demo.add", List.of(2, 3), Map.of());
            CompletableFuture<Boolean> succeeded = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String line; (line = lines.readLine()) != null; ) {
                        if (line.startsWith("data: ") && line.contains(r.id()) && line.contains("\"SUCCESS\"")) {
                            return true;
                        }
                    }
                    return false;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(succeeded.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
        // the API's own threads were not held by the open stream
        assertThat(get("/healthcheck", null).body()).isEqualTo("OK");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theChartsDataCountsTheTasksThatSucceeded() throws Exception {
        serve(null);
        for (int i = 0; i < 3; i++) {
            app.client().send("demo.add", List.of(i, i), Map.of()).get(WAIT);
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        Map<String, Object> add;
        do {
            Thread.sleep(50);
            add = (Map<String, Object>) ((Map<String, Object>) getJson("/api/stats/timeseries?seconds=120")
                    .get("tasks")).get("demo.add");
        } while ((add == null || sum((List<Integer>) add.get("succeeded")) < 3) && System.nanoTime() < deadline);

        assertThat(sum((List<Integer>) add.get("succeeded"))).isEqualTo(3);
        assertThat((List<Integer>) add.get("succeeded")).hasSize(120);
        assertThat((List<Object>) add.get("p50")).hasSize(12).anySatisfy(p -> assertThat(p).isNotNull());
        assertThat(get("/api/stats/timeseries?seconds=soon", null).statusCode()).isEqualTo(400);
    }

    private static int sum(List<Integer> values) {
        return values.stream().mapToInt(Integer::intValue).sum();
    }

    @Test
    @SuppressWarnings("unchecked")
    void aTasksCanvasIsItsRootAndTheTasksThatNameIt() throws Exception {
        serve(null);
        state.apply(new org.celeriac.spi.events.Event("task-received", Map.of("uuid", "root", "name", "a",
                "hostname", "w", "timestamp", 1.0)));
        state.apply(new org.celeriac.spi.events.Event("task-received", Map.of("uuid", "child", "name", "b",
                "hostname", "w", "timestamp", 2.0, "root_id", "root", "parent_id", "root")));
        state.apply(new org.celeriac.spi.events.Event("task-received", Map.of("uuid", "other", "name", "c",
                "hostname", "w", "timestamp", 3.0)));

        Map<String, Object> canvas = getJson("/api/task/canvas/child");
        assertThat(canvas).containsEntry("root", "root");
        assertThat((List<Map<String, Object>>) canvas.get("tasks")).extracting(t -> t.get("uuid"))
                .containsExactly("root", "child");
    }

    @Test
    void theBrokerIsShownWithItsPasswordMasked() throws Exception {
        assertThat(WebPages.masked("redis://:hunter2@redis.example:6379/0")).isEqualTo("redis://:**@redis.example:6379/0");
        assertThat(WebPages.masked("amqp://guest:guest@localhost:5672//")).isEqualTo("amqp://guest:**@localhost:5672//");
        assertThat(WebPages.masked("sqla+postgresql://db/x?user=u&password=p&x=1"))
                .isEqualTo("sqla+postgresql://db/x?user=u&password=**&x=1");
        serve(null);
        assertThat(getJson("/api/broker")).containsEntry("url", app.settings().get(Settings.BROKER_URL));
    }
}
