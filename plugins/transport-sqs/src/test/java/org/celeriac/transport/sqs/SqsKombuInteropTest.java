package org.celeriac.transport.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;
import org.celeriac.tck.PythonPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Python Celery (Debian's python3-celery, kombu's SQS transport on boto3 and pycurl) and this transport on one
 * ElasticMQ, with a queue name prefix and a queue name with a dot: each side reads what the other sends, so both
 * name the SQS queue alike and write the same bodies.
 */
class SqsKombuInteropTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "celeriac-";

    @RegisterExtension
    static final ElasticMq SQS = new ElasticMq();

    @TempDir
    static Path dir;
    private static Path script;

    private Transport transport;
    private String queue;

    @BeforeAll
    static void requireCelery() throws Exception {
        script = PythonPeer.install(SqsKombuInteropTest.class, "/kombu/sqs_peer.py", dir, "celery", "kombu",
                "boto3", "pycurl");
    }

    @BeforeEach
    void open() {
        transport = new SqsTransportFactory().open(SQS.url(), Map.of("queue_name_prefix", PREFIX,
                "visibility_timeout", "60", "wait_time_seconds", "1"));
        queue = "interop.q" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void close() {
        transport.close();
    }

    @Test
    void receivesTaskSentByPythonCelery() throws Exception {
        String id = python("send", queue).strip();

        List<Delivery> got = receiveOne();

        assertThat(got).hasSize(1);
        Message m = got.get(0).message();
        assertThat(m.headers()).containsEntry("task", "demo.add").containsEntry("id", id);
        assertThat(m.contentType()).isEqualTo("application/json");
        assertThat(JSON.readValue(m.body(), List.class).subList(0, 2))
                .isEqualTo(JSON.readValue("[[2, 3], {\"k\": null}]", List.class));
        assertThat(m.properties()).containsEntry("correlation_id", id);
        assertThat(got.get(0).redelivered()).isFalse();
        transport.ack(got.get(0));
        assertThat(transport.size(queue)).isZero();
    }

    @Test
    void pythonCeleryConsumerReadsWhatThisTransportPublishes() throws Exception {
        String id = UUID.randomUUID().toString();
        transport.publish(queue, task(id));

        @SuppressWarnings("unchecked")
        Map<String, Object> seen = JSON.readValue(python("take", queue), Map.class);

        assertThat(seen).isNotNull();
        assertThat(seen.get("headers")).isInstanceOfSatisfying(Map.class, h -> assertThat(h)
                .containsEntry("task", "demo.add").containsEntry("id", id));
        assertThat(JSON.readValue((String) seen.get("body"), List.class).subList(0, 2))
                .isEqualTo(JSON.readValue("[[2, 3], {\"k\": null}]", List.class));
        assertThat(seen).containsEntry("content_type", "application/json").containsEntry("routing_key", queue);
        assertThat(seen.get("properties")).isInstanceOfSatisfying(Map.class, p -> assertThat(p)
                .containsEntry("correlation_id", id));
        assertThat(transport.size(queue)).isZero();
    }

    @Test
    void pythonCeleryWorkerRunsTaskThisTransportPublishes() throws Exception {
        String id = UUID.randomUUID().toString();
        Path out = dir.resolve("ran-" + id + ".json");
        transport.publishAll(queue, List.of(task(id)));

        Process worker = new ProcessBuilder(PythonPeer.PYTHON, script.toString(), "work", SQS.url(), PREFIX, queue,
                out.toString()).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("worker-" + id + ".log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(out) && worker.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(out).as(Files.readString(dir.resolve("worker-" + id + ".log"))).exists();
            Thread.sleep(200); // the file is written at once, but let the write finish
            @SuppressWarnings("unchecked")
            Map<String, Object> ran = JSON.readValue(Files.readString(out), Map.class);
            assertThat(ran).containsEntry("id", id).containsEntry("args", List.of(2, 3));
        } finally {
            PythonPeer.stop(List.of(worker));
        }
    }

    private List<Delivery> receiveOne() throws InterruptedException {
        List<Delivery> got = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (got.isEmpty() && System.nanoTime() < deadline) {
            got.addAll(transport.receive(List.of(queue), 1, Duration.ofSeconds(2)));
        }
        return got;
    }

    /** demo.add(2, 3, k=None) in Celery's protocol 2, as Celeriac's client sends it. */
    private static Message task(String id) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("lang", "py");
        headers.put("task", "demo.add");
        headers.put("id", id);
        headers.put("shadow", null);
        headers.put("eta", null);
        headers.put("expires", null);
        headers.put("group", null);
        headers.put("group_index", null);
        headers.put("retries", 0);
        headers.put("timelimit", java.util.Arrays.asList(null, null));
        headers.put("root_id", id);
        headers.put("parent_id", null);
        headers.put("argsrepr", "(2, 3)");
        headers.put("kwargsrepr", "{'k': None}");
        headers.put("origin", "celeriac@test");
        headers.put("ignore_result", false);
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("correlation_id", id);
        properties.put("reply_to", UUID.randomUUID().toString());
        properties.put("delivery_mode", 2);
        properties.put("priority", 0);
        byte[] body = "[[2, 3], {\"k\": null}, {\"callbacks\": null, \"errbacks\": null, \"chain\": null, \"chord\": null}]"
                .getBytes(StandardCharsets.UTF_8);
        return new Message(body, "application/json", "utf-8", headers, properties);
    }

    private String python(String mode, String q) throws Exception {
        List<String> command = List.of(PythonPeer.PYTHON, script.toString(), mode, SQS.url(), PREFIX, q);
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("python " + mode + " failed: " + out);
        }
        return out;
    }
}
