package org.celeriac.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
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
import java.util.concurrent.TimeUnit;

import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.Transport;
import org.celeriac.tck.PythonPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Celery's events between Python Celery ({@code /usr/bin/python3}, kombu's py-amqp) and this transport on one
 * RabbitMQ: a Python worker's events reach a topic subscription, and events published here reach Celery's event
 * receiver. Each test uses an event exchange of its own (Celery's {@code event_exchange}), declared first by one side
 * and then by the other, which must agree. Skipped without CELERIAC_TEST_AMQP_URL or Python Celery, except under CI.
 */
@Timeout(120)
class AmqpEventsInteropTest {

    private static final String PYTHON = PythonPeer.PYTHON;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String url;

    @TempDir
    static Path dir;
    private static Path script;

    private Transport transport;
    private String exchange;
    private final List<Process> processes = new ArrayList<>();

    @BeforeAll
    static void requireBrokerAndCelery() throws Exception {
        url = AmqpTestBroker.url();
        script = PythonPeer.install(PythonPeer.class, PythonPeer.CELERY_EVENTS, dir, "celery", "kombu", "amqp");
    }

    @BeforeEach
    void open() {
        transport = new AmqpTransportFactory().open(url, Map.of());
        exchange = "celeryev-" + UUID.randomUUID();
    }

    @AfterEach
    void close() throws InterruptedException {
        PythonPeer.stop(processes);
        transport.close();
    }

    /** A received event: its routing key and the events in its body (a list for Celery's batched task.multi). */
    private record Heard(String routingKey, Map<String, Object> headers, JsonNode body) {
    }

    @Test
    void hearsThePythonWorkersEventsForATaskItRuns() throws Exception {
        String queue = "events-interop-" + UUID.randomUUID();
        List<Heard> heard = Collections.synchronizedList(new ArrayList<>());
        Subscription s = transport.subscribeTopic(exchange, "#", m -> heard.add(heard(m)));
        Process worker = start("worker", queue, exchange);
        String id = UUID.randomUUID().toString();

        transport.publish(queue, task(id));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!typesOf(heard).contains("task-succeeded") && worker.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        s.close();

        List<JsonNode> events = events(heard);
        assertThat(typesOf(heard)).contains("worker-online", "task-received", "task-started", "task-succeeded");
        JsonNode online = events.stream().filter(e -> e.path("type").asText().equals("worker-online")).findFirst()
                .orElseThrow();
        assertThat(online.path("hostname").asText()).isEqualTo("pyw@interop");
        assertThat(online.path("sw_ident").asText()).isEqualTo("py-celery");
        JsonNode succeeded = events.stream().filter(e -> e.path("type").asText().equals("task-succeeded"))
                .findFirst().orElseThrow();
        assertThat(succeeded.path("uuid").asText()).isEqualTo(id);
        assertThat(succeeded.path("result").asText()).isEqualTo("5");
        // routing keys as Celery makes them from the type (task events may come batched, as task.multi)
        assertThat(heard).extracting(Heard::routingKey).contains("worker.online")
                .allMatch(k -> k.startsWith("worker.") || k.startsWith("task."));
        assertThat(heard).allSatisfy(h -> assertThat(h.headers()).containsEntry("hostname", "pyw@interop"));
    }

    @Test
    void celerysEventReceiverHearsEventsPublishedHere() throws Exception {
        Process receiver = start("receive", exchange, "task-succeeded");
        BufferedReader out = new BufferedReader(new InputStreamReader(receiver.getInputStream(),
                StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("READY"); // its queue is bound: what is published now reaches it

        String id = UUID.randomUUID().toString();
        transport.publishTopic(exchange, "worker.online", event("worker-online", Map.of("freq", 2.0,
                "sw_ident", "celeriac", "sw_ver", "0.1.0", "sw_sys", "Linux")));
        transport.publishTopic(exchange, "task.succeeded", event("task-succeeded", Map.of("uuid", id,
                "result", "5", "runtime", 0.01)));
        List<JsonNode> got = new ArrayList<>();
        for (String line; (line = out.readLine()) != null; ) {
            got.add(JSON.readTree(line));
        }
        assertThat(receiver.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(got).extracting(e -> e.path("type").asText()).containsExactly("worker-online", "task-succeeded");
        assertThat(got.get(0).path("hostname").asText()).isEqualTo("jw@interop");
        assertThat(got.get(0).path("sw_ident").asText()).isEqualTo("celeriac");
        assertThat(got.get(1).path("uuid").asText()).isEqualTo(id);
        assertThat(got.get(1).has("local_received")).isTrue(); // processed by Celery's receiver, not just read
    }

    /** An event as Celery's EventDispatcher sends it: JSON, the hostname header, transient. */
    private static Message event(String type, Map<String, Object> fields) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>(fields);
        body.put("hostname", "jw@interop");
        body.put("utcoffset", 0);
        body.put("pid", ProcessHandle.current().pid());
        body.put("clock", 1);
        body.put("timestamp", System.currentTimeMillis() / 1000.0);
        body.put("type", type);
        return new Message(JSON.writeValueAsBytes(body), "application/json", "utf-8",
                Map.of("hostname", "jw@interop"), Map.of("delivery_mode", 1));
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

    private static Heard heard(Message m) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> info = (Map<String, Object>) m.properties().get("delivery_info");
            return new Heard(String.valueOf(info.get("routing_key")), m.headers(), JSON.readTree(m.body()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<JsonNode> events(List<Heard> heard) {
        List<JsonNode> events = new ArrayList<>();
        synchronized (heard) {
            for (Heard h : heard) {
                if (h.body().isArray()) {
                    h.body().forEach(events::add);
                } else {
                    events.add(h.body());
                }
            }
        }
        return events;
    }

    private static List<String> typesOf(List<Heard> heard) {
        return events(heard).stream().map(e -> e.path("type").asText()).toList();
    }

    private Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(PYTHON, script.toString(), args[0], url));
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
