package org.celeriac.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;
import org.celeriac.tck.PythonPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Python Celery (kombu's py-amqp transport, {@code /usr/bin/python3}) and this transport on one RabbitMQ: each reads
 * what the other sends, and each accepts the other's queue declaration. Skipped without CELERIAC_TEST_AMQP_URL or
 * Python Celery, except under CI.
 */
@Timeout(120)
class AmqpKombuInteropTest {

    private static final String PYTHON = PythonPeer.PYTHON;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static String url;

    @TempDir
    static Path dir;
    private static Path script;

    private Transport transport;
    private String queue;

    @BeforeAll
    static void requireBrokerAndCelery() throws Exception {
        url = AmqpTestBroker.url();
        script = PythonPeer.install(AmqpKombuInteropTest.class, "/kombu/amqp_peer.py", dir, "celery", "kombu", "amqp");
    }

    @BeforeEach
    void open() {
        transport = new AmqpTransportFactory().open(url, Map.of());
        queue = "interop-" + UUID.randomUUID();
    }

    @AfterEach
    void close() {
        transport.close();
    }

    @Test
    void receivesTaskSentByPythonCeleryAndAcceptsItsQueueDeclaration() throws Exception {
        String id = python("send", queue).strip();

        transport.declare(queue); // Celery declared it first: the same arguments, or the broker would refuse
        List<Delivery> got = transport.receive(List.of(queue), 1, Duration.ofSeconds(10));

        assertThat(got).hasSize(1);
        Message m = got.get(0).message();
        assertThat(m.contentType()).isEqualTo("application/json");
        assertThat(m.contentEncoding()).isEqualTo("utf-8");
        assertThat(m.headers()).containsEntry("task", "demo.add").containsEntry("id", id)
                .containsEntry("lang", "py").containsEntry("eta", null)
                .containsEntry("timelimit", Arrays.asList(null, null));
        assertThat(m.properties()).containsEntry("correlation_id", id).containsEntry("priority", 3)
                .containsEntry("delivery_mode", 2).containsKey("reply_to");
        assertThat(JSON.readTree(m.body()).get(0).toString()).isEqualTo("[2,3]");
        assertThat(JSON.readTree(m.body()).get(1).toString()).isEqualTo("{\"k\":null}");
        transport.ack(got.get(0));
        assertThat(transport.size(queue)).isZero();
    }

    @Test
    void pythonCeleryWorkerQueueReadsWhatThisTransportPublishes() throws Exception {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("lang", "py");
        headers.put("task", "demo.add");
        headers.put("id", "0b8a6f9e-0000-4000-8000-000000000042");
        headers.put("eta", null);
        headers.put("retries", 0);
        headers.put("timelimit", Arrays.asList(30, null));
        headers.put("big", 1L << 40);
        headers.put("ratio", 0.5);
        headers.put("stamps", Map.of("group", List.of("a", 1, true)));
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("correlation_id", "0b8a6f9e-0000-4000-8000-000000000042");
        properties.put("reply_to", "c0ffee00-0000-4000-8000-000000000000");
        properties.put("priority", 0);
        String body = "[[2, 3], {\"k\": \"\u00fc\"}, {\"callbacks\": null}]";

        transport.declare(queue); // then Celery declares it its way: it must accept ours
        transport.publish(queue, new Message(body.getBytes(StandardCharsets.UTF_8), "application/json", "utf-8",
                headers, properties));
        @SuppressWarnings("unchecked")
        Map<String, Object> seen = JSON.readValue(python("take", queue), Map.class);

        assertThat(seen).isNotNull();
        assertThat(seen.get("body")).isEqualTo(body);
        assertThat(seen.get("content_type")).isEqualTo("application/json");
        assertThat(seen.get("content_encoding")).isEqualTo("utf-8");
        assertThat(seen.get("headers")).isEqualTo(JSON.convertValue(headers, Map.class));
        assertThat(seen.get("properties")).isEqualTo(Map.of("content_type", "application/json",
                "content_encoding", "utf-8", "delivery_mode", 2, "priority", 0,
                "correlation_id", "0b8a6f9e-0000-4000-8000-000000000042",
                "reply_to", "c0ffee00-0000-4000-8000-000000000000"));
        assertThat(seen.get("delivery_info")).isEqualTo(Map.of("exchange", queue, "routing_key", queue));
        assertThat(transport.size(queue)).isZero();
    }

    private static String python(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(PYTHON, script.toString(), args[0], url));
        command.addAll(Arrays.asList(args).subList(1, args.length));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            fail("python " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }
}
