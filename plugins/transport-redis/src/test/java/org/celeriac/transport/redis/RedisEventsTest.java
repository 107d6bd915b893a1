package org.celeriac.transport.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.celeriac.redis.RedisTestServer;
import org.celeriac.redis.RedisUrl;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.Transport;
import org.celeriac.tck.PythonPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;

/**
 * Celery's events on Redis: against the captures of a Celery 5.2.6 worker's events (celery-wire/redis-events.json),
 * and live with Debian's Python Celery ({@code /usr/bin/python3}): a worker with -E heard by a topic subscription,
 * events published here heard by Celery's event receiver. Each test uses an event exchange of its own.
 */
@Timeout(120)
class RedisEventsTest {

    private static final String PYTHON = PythonPeer.PYTHON;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final RedisTestServer REDIS = new RedisTestServer();

    @TempDir
    Path dir;

    private Transport transport;
    private String exchange;
    private String prefix;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void open() {
        transport = new RedisTransportFactory().open(REDIS.url(), Map.of());
        exchange = "celeryev-" + UUID.randomUUID();
        prefix = "/" + RedisUrl.parse(REDIS.url(), Map.of(), 64).db() + ".";
    }

    @AfterEach
    void close() throws InterruptedException {
        PythonPeer.stop(processes);
        transport.close();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> captured(String channel) throws IOException {
        try (InputStream in = RedisEventsTest.class.getResourceAsStream("/celery-wire/redis-events.json")) {
            Map<String, Object> sample = (Map<String, Object>) JSON.readValue(in, Map.class).get("sample");
            return new LinkedHashMap<>((Map<String, Object>) ((List<?>) sample.get(channel)).get(0));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @Test
    void publishesAnEventOnTheChannelAndInTheEnvelopeCeleryDoes() throws Exception {
        Map<String, Object> theirs = captured("/0.celeryev/worker.online");
        theirs.remove("body_decoded");
        CompletableFuture<String[]> heard = new CompletableFuture<>();
        CountDownLatch subscribed = new CountDownLatch(1);
        JedisPubSub sub = new JedisPubSub() {
            @Override
            public void onPSubscribe(String pattern, int count) {
                subscribed.countDown();
            }

            @Override
            public void onPMessage(String pattern, String channel, String message) {
                heard.complete(new String[] {channel, message});
                punsubscribe();
            }
        };
        try (Jedis j = new Jedis(REDIS.url())) {
            Thread listener = new Thread(() -> j.psubscribe(sub, prefix + exchange + "*"));
            listener.start();
            assertThat(subscribed.await(10, TimeUnit.SECONDS)).isTrue();
            transport.publishTopic(exchange, "worker.online", new Message(
                    java.util.Base64.getDecoder().decode((String) theirs.get("body")), "application/json", "utf-8",
                    map(theirs.get("headers")), Map.of()));
            String[] got = heard.get(10, TimeUnit.SECONDS);
            listener.join(5_000);

            assertThat(got[0]).isEqualTo(prefix + exchange + "/worker.online");
            Map<String, Object> ours = map(JSON.readValue(got[1], Map.class));
            assertThat(ours.keySet()).containsExactlyInAnyOrderElementsOf(theirs.keySet());
            assertThat(ours.get("body")).isEqualTo(theirs.get("body"));
            assertThat(ours.get("headers")).isEqualTo(theirs.get("headers"));
            Map<String, Object> ourProps = map(ours.get("properties"));
            Map<String, Object> theirProps = map(theirs.get("properties"));
            assertThat(ourProps.keySet()).containsExactlyInAnyOrderElementsOf(theirProps.keySet());
            assertThat(ourProps).containsEntry("delivery_mode", 1).containsEntry("priority", 0)
                    .containsEntry("body_encoding", "base64")
                    .containsEntry("delivery_info", Map.of("exchange", exchange, "routing_key", "worker.online"));
        }
    }

    @Test
    void hearsCapturedCeleryEventsMatchingThePatternOnly() throws Exception {
        List<Message> heard = Collections.synchronizedList(new ArrayList<>());
        Subscription s = transport.subscribeTopic(exchange, "task.#", heard::add);
        Map<String, Object> online = captured("/0.celeryev/worker.online");
        Map<String, Object> multi = captured("/0.celeryev/task.multi");
        Object decoded = multi.remove("body_decoded");
        online.remove("body_decoded");

        try (Jedis j = new Jedis(REDIS.url())) {
            j.publish(prefix + exchange + "/worker.online", JSON.writeValueAsString(online));
            j.publish(prefix + exchange + "/task.multi", JSON.writeValueAsString(multi));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (heard.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        s.close();

        assertThat(heard).hasSize(1); // worker.online went first, on the same connection: it was dropped
        Message m = heard.get(0);
        assertThat(JSON.readValue(m.body(), Object.class)).isEqualTo(decoded);
        assertThat(m.headers()).containsEntry("hostname", "pyw@capture");
        assertThat(map(m.properties().get("delivery_info"))).containsEntry("routing_key", "task.multi");
    }

    @Test
    void hearsThePythonWorkersEventsForATaskItRuns() throws Exception {
        Path script = script();
        String queue = "events-interop-" + UUID.randomUUID();
        List<JsonNode> events = Collections.synchronizedList(new ArrayList<>());
        List<String> keys = Collections.synchronizedList(new ArrayList<>());
        Subscription s = transport.subscribeTopic(exchange, "#", m -> {
            keys.add(String.valueOf(map(m.properties().get("delivery_info")).get("routing_key")));
            try {
                JsonNode body = JSON.readTree(m.body());
                if (body.isArray()) {
                    body.forEach(events::add); // task events come batched, as task.multi
                } else {
                    events.add(body);
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        Process worker = start(script, "worker", queue, exchange);
        String id = UUID.randomUUID().toString();

        transport.publish(queue, task(id));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!types(events).contains("task-succeeded") && worker.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        s.close();

        assertThat(types(events)).contains("worker-online", "task-received", "task-started", "task-succeeded");
        JsonNode succeeded = List.copyOf(events).stream()
                .filter(e -> e.path("type").asText().equals("task-succeeded")).findFirst().orElseThrow();
        assertThat(succeeded.path("uuid").asText()).isEqualTo(id);
        assertThat(succeeded.path("hostname").asText()).isEqualTo("pyw@interop");
        assertThat(keys).contains("worker.online").allMatch(k -> k.startsWith("worker.") || k.startsWith("task."));
    }

    @Test
    void celerysEventReceiverHearsEventsPublishedHere() throws Exception {
        Process receiver = start(script(), "receive", exchange, "task-succeeded");
        BufferedReader out = new BufferedReader(new InputStreamReader(receiver.getInputStream(),
                StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("READY");
        // kombu PSUBSCRIBEs when it first polls, after the consumer is ready: publish until it hears
        String id = UUID.randomUUID().toString();
        Thread publisher = new Thread(() -> {
            while (receiver.isAlive()) {
                try {
                    transport.publishTopic(exchange, "worker.online", event("worker-online", Map.of(
                            "sw_ident", "celeriac")));
                    transport.publishTopic(exchange, "task.succeeded", event("task-succeeded", Map.of("uuid", id,
                            "result", "5")));
                    Thread.sleep(200);
                } catch (InterruptedException | RuntimeException | IOException e) {
                    return;
                }
            }
        });
        publisher.setDaemon(true);
        publisher.start();
        List<JsonNode> got = new ArrayList<>();
        for (String line; (line = out.readLine()) != null; ) {
            got.add(JSON.readTree(line));
        }
        assertThat(receiver.waitFor(30, TimeUnit.SECONDS)).isTrue();
        publisher.interrupt();

        assertThat(got).extracting(e -> e.path("type").asText()).contains("task-succeeded")
                .allMatch(t -> t.equals("worker-online") || t.equals("task-succeeded"));
        JsonNode last = got.get(got.size() - 1);
        assertThat(last.path("uuid").asText()).isEqualTo(id);
        assertThat(last.path("hostname").asText()).isEqualTo("jw@interop");
        assertThat(last.has("local_received")).isTrue(); // processed by Celery's receiver, not just read
    }

    /** An event as Celery's EventDispatcher sends it: JSON with the hostname header. */
    private static Message event(String type, Map<String, Object> fields) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>(fields);
        body.put("hostname", "jw@interop");
        body.put("utcoffset", 0);
        body.put("pid", ProcessHandle.current().pid());
        body.put("clock", 1);
        body.put("timestamp", System.currentTimeMillis() / 1000.0);
        body.put("type", type);
        return new Message(JSON.writeValueAsBytes(body), "application/json", "utf-8",
                Map.of("hostname", "jw@interop"), Map.of());
    }

    /** demo.add(2, 3) in protocol v2. */
    private static Message task(String id) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("lang", "py");
        headers.put("task", "demo.add");
        headers.put("id", id);
        headers.put("root_id", id);
        headers.put("eta", null);
        headers.put("expires", null);
        headers.put("retries", 0);
        headers.put("timelimit", Arrays.asList(null, null));
        headers.put("argsrepr", "(2, 3)");
        headers.put("kwargsrepr", "{}");
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("correlation_id", id);
        properties.put("priority", 0);
        String body = "[[2, 3], {}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]";
        return new Message(body.getBytes(StandardCharsets.UTF_8), "application/json", "utf-8", headers, properties);
    }

    private static List<String> types(List<JsonNode> events) {
        return List.copyOf(events).stream().map(e -> e.path("type").asText()).toList();
    }

    /** The Python peer; fails under CI, else skips, when Python Celery with redis-py is missing. */
    private Path script() throws Exception {
        return PythonPeer.install(PythonPeer.class, PythonPeer.CELERY_EVENTS, dir, "celery", "kombu", "redis");
    }

    private Process start(Path script, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(PYTHON, script.toString(), args[0], REDIS.url()));
        command.addAll(Arrays.asList(args).subList(1, args.length));
        ProcessBuilder b = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
        if (args[0].equals("worker")) {
            b.redirectOutput(ProcessBuilder.Redirect.DISCARD); // its banner; nobody reads it
        }
        Process p = b.start();
        processes.add(p);
        return p;
    }
}
