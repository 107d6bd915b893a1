package org.celeriac.backend.redis;

import org.celeriac.resultmeta.ResultMetaJson;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.celeriac.redis.RedisTestServer;
import org.celeriac.redis.RedisUrl;
import org.celeriac.spi.backend.BackendException;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/** What lands in Redis, compared with what Celery 5.2.6 stored (src/test/resources/redis-result-*.json). */
@Timeout(60)
class RedisResultWireTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ISO_NAIVE_MICROS = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}";

    private RedisResultBackend backend;
    private Jedis raw;

    @RegisterExtension
    static final RedisTestServer REDIS = new RedisTestServer();

    @BeforeEach
    void open() {
        backend = (RedisResultBackend) new RedisResultBackendFactory().open(REDIS.url(), Map.of());
        URI u = URI.create(REDIS.url());
        raw = new Jedis(u.getHost(), u.getPort());
        String path = u.getPath();
        if (path != null && path.length() > 1) {
            raw.select(Integer.parseInt(path.substring(1)));
        }
    }

    @AfterEach
    void close() {
        backend.close();
        raw.close();
    }

    private static Map<String, Object> sample(String resource) throws Exception {
        try (InputStream in = RedisResultWireTest.class.getResourceAsStream("/" + resource)) {
            Map<String, Object> doc = JSON.readValue(in, new TypeReference<Map<String, Object>>() { });
            @SuppressWarnings("unchecked")
            Map<String, Object> sample = (Map<String, Object>) doc.get("sample");
            return sample;
        }
    }

    private Map<String, Object> storedDocument(String id) throws Exception {
        String json = raw.get("celery-task-meta-" + id);
        assertThat(json).isNotNull();
        return JSON.readValue(json, new TypeReference<Map<String, Object>>() { });
    }

    /** Same keys in the same order, and per key the same JSON type (and, for maps, the same keys). */
    private static void assertSameShape(Map<String, Object> ours, Map<String, Object> celery) {
        assertThat(new ArrayList<>(ours.keySet())).containsExactlyElementsOf(celery.keySet());
        celery.forEach((k, v) -> {
            Object mine = ours.get(k);
            if (v == null) {
                assertThat(mine).as(k).isNull();
            } else {
                assertThat(mine).as(k).isNotNull();
                assertThat(jsonType(mine)).as(k).isEqualTo(jsonType(v));
                if (v instanceof Map<?, ?> m) {
                    assertThat(new java.util.HashSet<Object>(((Map<?, ?>) mine).keySet())).as(k).isEqualTo(new java.util.HashSet<Object>(m.keySet()));
                }
            }
        });
        assertThat((String) ours.get("date_done")).matches(ISO_NAIVE_MICROS);
    }

    private static String jsonType(Object o) {
        return o instanceof Map ? "object" : o instanceof List ? "array" : o instanceof String ? "string"
                : o instanceof Number ? "number" : o instanceof Boolean ? "boolean" : o.getClass().getName();
    }

    @Test
    void successIsStoredLikeCelery() throws Exception {
        String id = UUID.randomUUID().toString();
        backend.store(new TaskResult(id, TaskState.SUCCESS, 5, null, List.of(),
                Instant.parse("2026-11-25T11:41:32.668941Z"), Map.of()), Duration.ofDays(1));

        Map<String, Object> ours = storedDocument(id);
        assertSameShape(ours, sample("redis-result-success.json"));
        assertThat(ours).containsEntry("date_done", "2026-11-25T11:41:32.668941").containsEntry("task_id", id)
                .containsEntry("result", 5).containsEntry("status", "SUCCESS");
        assertThat(raw.get("celery-task-meta-" + id)).isEqualTo("{\"status\": \"SUCCESS\", \"result\": 5, "
                + "\"traceback\": null, \"children\": [], \"date_done\": \"2026-11-25T11:41:32.668941\", "
                + "\"task_id\": \"" + id + "\"}");
        long ttl = raw.ttl("celery-task-meta-" + id);
        assertThat(ttl).isBetween(86_000L, 86_400L);
    }

    @Test
    void failureIsStoredLikeCelery() throws Exception {
        Map<String, Object> celery = sample("redis-result-failure.json");
        String id = UUID.randomUUID().toString();
        backend.store(new TaskResult(id, TaskState.FAILURE, celery.get("result"), (String) celery.get("traceback"),
                List.of(), Instant.now(), Map.of()), null);

        Map<String, Object> ours = storedDocument(id);
        assertSameShape(ours, celery);
        assertThat(ours.get("result")).isEqualTo(celery.get("result"));
        assertThat(ours.get("traceback")).isEqualTo(celery.get("traceback"));
        assertThat(raw.ttl("celery-task-meta-" + id)).isEqualTo(-1L);
    }

    @Test
    void readsCelerysSuccessDocument() throws Exception {
        Map<String, Object> celery = sample("redis-result-success.json");
        String id = (String) celery.get("task_id");
        raw.set("celery-task-meta-" + id, JSON.writeValueAsString(celery));
        try {
            TaskResult r = backend.get(id).orElseThrow();
            assertThat(r.taskId()).isEqualTo(id);
            assertThat(r.state()).isEqualTo(TaskState.SUCCESS);
            assertThat(r.result()).isEqualTo(5);
            assertThat(r.traceback()).isNull();
            assertThat(r.children()).isEmpty();
            assertThat(r.dateDone()).isEqualTo(Instant.parse("2026-11-25T11:41:32.668941Z"));
            assertThat(r.extended()).isEmpty();
        } finally {
            raw.del("celery-task-meta-" + id);
        }
    }

    @Test
    void readsCelerysFailureDocument() throws Exception {
        Map<String, Object> celery = sample("redis-result-failure.json");
        String id = (String) celery.get("task_id");
        raw.set("celery-task-meta-" + id, JSON.writeValueAsString(celery));
        try {
            TaskResult r = backend.get(id).orElseThrow();
            assertThat(r.state()).isEqualTo(TaskState.FAILURE);
            assertThat(r.result()).isEqualTo(Map.of("exc_type", "ValueError", "exc_message", List.of("boom"),
                    "exc_module", "builtins"));
            assertThat(r.traceback()).startsWith("Traceback (most recent call last):").endsWith("ValueError: boom\n");
            assertThat(r.dateDone()).isEqualTo(Instant.parse("2026-11-25T11:41:32.720719Z"));
        } finally {
            raw.del("celery-task-meta-" + id);
        }
    }

    @Test
    void extendedMetaGoesToTopLevelAndBack() throws Exception {
        String id = UUID.randomUUID().toString();
        Map<String, Object> ext = Map.of("name", "demo.add", "args", List.of(2, 3), "kwargs", Map.of(),
                "worker", "celery@host", "retries", 0, "queue", "celery");
        backend.store(new TaskResult(id, TaskState.SUCCESS, 5, null, List.of(), Instant.now(), ext), null);

        Map<String, Object> doc = storedDocument(id);
        assertThat(new ArrayList<>(doc.keySet()).subList(0, 6))
                .containsExactly("status", "result", "traceback", "children", "date_done", "task_id");
        assertThat(doc).containsAllEntriesOf(ext);
        assertThat(backend.get(id).orElseThrow().extended()).isEqualTo(ext);
    }

    @Test
    void datesWithOffsetsAndWholeSeconds() {
        assertThat(ResultMetaJson.parseDate("2026-11-25T11:41:32.668941+00:00"))
                .isEqualTo(Instant.parse("2026-11-25T11:41:32.668941Z"));
        assertThat(ResultMetaJson.parseDate("2026-11-25T12:41:32+01:00")).isEqualTo(Instant.parse("2026-11-25T11:41:32Z"));
        assertThat(ResultMetaJson.parseDate("2026-11-25T11:41:32")).isEqualTo(Instant.parse("2026-11-25T11:41:32Z"));
        // Python's isoformat() leaves out zero microseconds
        assertThat(ResultMetaJson.formatDate(Instant.parse("2026-11-25T11:41:32Z"))).isEqualTo("2026-11-25T11:41:32");
        assertThat(ResultMetaJson.formatDate(Instant.parse("2026-11-25T11:41:32.5Z"))).isEqualTo("2026-11-25T11:41:32.500000");
    }

    @Test
    void nonAsciiIsEscapedLikePython() {
        String id = UUID.randomUUID().toString();
        backend.store(new TaskResult(id, TaskState.SUCCESS, "gr\u00fc\u00dfe", null, List.of(), null, Map.of()), null);
        assertThat(raw.get("celery-task-meta-" + id)).contains("\"result\": \"gr\\u00fc\\u00dfe\"")
                .contains("\"date_done\": null");
        assertThat(backend.get(id).orElseThrow().result()).isEqualTo("gr\u00fc\u00dfe");
    }

    @Test
    void storePublishesTheDocumentOnTheKeysChannel() throws Exception {
        String id = UUID.randomUUID().toString();
        String channel = "celery-task-meta-" + id;
        BlockingQueue<String> got = new LinkedBlockingQueue<>();
        URI u = URI.create(REDIS.url());
        JedisPubSub sub = new JedisPubSub() {
            @Override
            public void onMessage(String ch, String message) {
                got.add(message);
            }

            @Override
            public void onSubscribe(String ch, int count) {
                got.add("subscribed");
            }
        };
        Thread t = new Thread(() -> {
            try (Jedis j = new Jedis(u.getHost(), u.getPort())) {
                j.subscribe(sub, channel);
            }
        });
        t.start();
        assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo("subscribed");

        backend.store(new TaskResult(id, TaskState.SUCCESS, 5, null, List.of(), Instant.now(), Map.of()), null);

        assertThat(got.poll(5, TimeUnit.SECONDS)).isEqualTo(raw.get(channel));
        sub.unsubscribe();
        t.join(5000);
    }

    @Test
    void manyWaitersShareOneSubscriberConnection() throws Exception {
        int n = 20;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(UUID.randomUUID().toString());
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        List<Future<Optional<TaskResult>>> waits = new ArrayList<>();
        for (String id : ids) {
            waits.add(pool.submit(() -> backend.await(id, Duration.ofSeconds(20))));
        }
        Thread.sleep(500);
        long subscribers = raw.clientList().lines().filter(l -> l.contains("name=celeriac-backend-subscriber")).count();
        RedisResultBackend writer = (RedisResultBackend) new RedisResultBackendFactory().open(REDIS.url(), Map.of());
        try {
            for (int i = 0; i < n; i++) {
                writer.store(new TaskResult(ids.get(i), TaskState.SUCCESS, i, null, List.of(), Instant.now(), Map.of()), null);
            }
            for (int i = 0; i < n; i++) {
                assertThat(waits.get(i).get(10, TimeUnit.SECONDS)).map(TaskResult::result).contains(i);
            }
        } finally {
            writer.close();
            pool.shutdownNow();
        }
        assertThat(subscribers).isEqualTo(1);
    }

    @Test
    void awaitReturnsAStoredResultAtOnce() throws Exception {
        String id = UUID.randomUUID().toString();
        backend.store(new TaskResult(id, TaskState.REVOKED, Map.of("exc_type", "TaskRevokedError",
                "exc_message", List.of("revoked"), "exc_module", "celery.exceptions"), null, List.of(), Instant.now(),
                Map.of()), null);
        long t0 = System.nanoTime();
        assertThat(backend.await(id, Duration.ofSeconds(10))).map(TaskResult::state).contains(TaskState.REVOKED);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void errorsNameHostAndPortButNotThePassword() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (var b = new RedisResultBackendFactory().open("redis://:s3cret-pw@127.0.0.1:" + port + "/2",
                Map.of("socket_connect_timeout", "1"))) {
            assertThatThrownBy(() -> b.get("x")).isInstanceOf(BackendException.class)
                    .hasMessageContaining("127.0.0.1:" + port).hasMessageNotContaining("s3cret-pw");
        }
    }

    /** The URL forms themselves are RedisUrlTest's, in org.celeriac.redis; here what the backend makes of them. */
    @Test
    void parsesUrls() {
        RedisUrl e = parse("rediss://user:p%40ss@redis.example:6380/3?socket_timeout=2.5");
        assertThat(e.host()).isEqualTo("redis.example");
        assertThat(e.port()).isEqualTo(6380);
        assertThat(e.db()).isEqualTo(3);
        assertThat(e.ssl()).isTrue();
        assertThat(e.user()).isEqualTo("user");
        assertThat(e.password()).isEqualTo("p@ss");
        assertThat(e.socketTimeoutMillis()).isEqualTo(2500);
        assertThat(e.where()).isEqualTo("redis.example:6380/3");

        RedisUrl d = parse("redis://:pw@localhost");
        assertThat(d.port()).isEqualTo(6379);
        assertThat(d.db()).isZero();
        assertThat(d.user()).isNull();
        assertThat(d.password()).isEqualTo("pw");
        assertThat(d.maxConnections()).isEqualTo(16);
        assertThat(parse("redis://").host()).isEqualTo("localhost");
        assertThat(new RedisResultBackendFactory().schemes()).containsExactlyInAnyOrder("redis", "rediss");
        assertThatThrownBy(() -> new RedisResultBackendFactory().open("amqp://x", Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static RedisUrl parse(String url) {
        return RedisUrl.parse(url, Map.of(), RedisResultBackend.DEFAULT_MAX_CONNECTIONS);
    }

    @Test
    void ttlIsRoundedUpToWholeSeconds() {
        assertThat(RedisResultBackend.seconds(Duration.ofMillis(1))).isEqualTo(1);
        assertThat(RedisResultBackend.seconds(Duration.ofMillis(1001))).isEqualTo(2);
        assertThat(RedisResultBackend.seconds(Duration.ofSeconds(3))).isEqualTo(3);
        assertThat(RedisResultBackend.seconds(Duration.ZERO)).isEqualTo(1);
    }
}
