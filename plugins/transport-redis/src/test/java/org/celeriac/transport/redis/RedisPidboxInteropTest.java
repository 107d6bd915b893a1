package org.celeriac.transport.redis;

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

import org.celeriac.redis.RedisTestServer;
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

/**
 * Celery's remote control between Python Celery ({@code /usr/bin/python3}, kombu's Redis transport) and this transport
 * on one Redis, at the transport level: commands broadcast on {@code celery.pidbox}, replies on the direct exchange
 * {@code reply.celery.pidbox} under the caller's oid, routed through {@code _kombu.binding.reply.celery.pidbox}.
 * Skipped without Python Celery and redis-py, except under CI.
 */
@Timeout(120)
class RedisPidboxInteropTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PIDBOX = "celery.pidbox";
    private static final String REPLIES = "reply.celery.pidbox";

    @RegisterExtension
    static final RedisTestServer REDIS = new RedisTestServer();

    @TempDir
    Path dir;
    private Path script;

    private Transport transport;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void open() throws Exception {
        script = PythonPeer.install(PythonPeer.class, PythonPeer.CELERY_PIDBOX, dir, "celery", "kombu", "redis");
        transport = new RedisTransportFactory().open(REDIS.url(), Map.of());
    }

    @AfterEach
    void close() throws InterruptedException {
        for (Process p : processes) {
            p.destroy(); // SIGTERM: Celery's warm shutdown
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        transport.close();
    }

    @Test
    void pythonWorkerAnswersAPingBroadcastHere() throws Exception {
        String oid = UUID.randomUUID().toString();
        String ticket = UUID.randomUUID().toString();
        List<Message> replies = Collections.synchronizedList(new ArrayList<>());
        Subscription s = transport.subscribeDirect(REPLIES, oid, oid + "." + REPLIES, replies::add);
        Process worker = start("-m", "celery", "-A", "pidbox_peer", "worker", "-n", "pyw@%h", "--pool", "solo",
                "--without-mingle", "--without-gossip", "--without-heartbeat", "--loglevel=WARNING");

        // until the worker's own pidbox queue is bound, a broadcast reaches nobody: ask again until it answers
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (replies.isEmpty() && worker.isAlive() && System.nanoTime() < deadline) {
            transport.broadcast(PIDBOX, ping(ticket, oid));
            Thread.sleep(500);
        }
        s.close();

        assertThat(replies).isNotEmpty();
        Message reply = replies.get(0);
        assertThat(reply.headers()).containsEntry("ticket", ticket).containsKey("clock");
        JsonNode body = JSON.readTree(reply.body());
        String node = body.fieldNames().next();
        assertThat(node).startsWith("pyw@");
        assertThat(body.path(node).path("ok").asText()).isEqualTo("pong");
    }

    @Test
    void celerysInspectPingHearsTheReplyPublishedHere() throws Exception {
        Subscription s = transport.subscribe(PIDBOX, this::pong);

        Process caller = start(script.toString(), "ping");
        String printed = new BufferedReader(new InputStreamReader(caller.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertThat(caller.waitFor(30, TimeUnit.SECONDS)).isTrue();
        s.close();

        assertThat(printed).isNotNull();
        assertThat(JSON.readTree(printed).path("jvm@test").path("ok").asText()).isEqualTo("pong");
    }

    /** Answers a command as a worker named jvm@test would answer a ping. */
    private void pong(Message command) {
        try {
            JsonNode body = JSON.readTree(command.body());
            JsonNode replyTo = body.path("reply_to");
            if (!replyTo.isObject()) {
                return;
            }
            Map<String, Object> headers = new LinkedHashMap<>();
            headers.put("ticket", body.path("ticket").asText());
            headers.put("clock", 1);
            transport.publishDirect(replyTo.path("exchange").asText(), replyTo.path("routing_key").asText(),
                    new Message("{\"jvm@test\": {\"ok\": \"pong\"}}".getBytes(StandardCharsets.UTF_8),
                            "application/json", "utf-8", headers, Map.of()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A ping as kombu's {@code Mailbox._publish} broadcasts it, replies to the given oid. */
    private static Message ping(String ticket, String oid) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("method", "ping");
        body.put("arguments", Map.of());
        body.put("destination", null);
        body.put("pattern", null);
        body.put("matcher", null);
        body.put("ticket", ticket);
        body.put("reply_to", Map.of("exchange", REPLIES, "routing_key", oid));
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("clock", 1);
        headers.put("expires", System.currentTimeMillis() / 1000.0 + 10);
        return new Message(JSON.writeValueAsBytes(body), "application/json", "utf-8", headers, Map.of());
    }

    private Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(PythonPeer.PYTHON));
        command.addAll(Arrays.asList(args));
        ProcessBuilder b = new ProcessBuilder(command).directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        b.environment().put("CELERIAC_PEER_BROKER", REDIS.url());
        if (args[0].equals("-m")) {
            b.redirectOutput(ProcessBuilder.Redirect.DISCARD); // the worker's banner; nobody reads it
        }
        Process p = b.start();
        processes.add(p);
        return p;
    }
}
