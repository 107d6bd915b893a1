package org.celeriac.tck;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Celery's remote control between Python Celery ({@link PythonPeer#CELERY_PIDBOX}) and a {@link Transport} on one
 * broker, at the transport level: commands broadcast on {@code celery.pidbox}, replies on the direct exchange
 * {@code reply.celery.pidbox} under the caller's oid. A transport plugin subclasses this in its tests and says how to
 * reach the broker; skipped without Python Celery, except under CI.
 */
@Timeout(120)
public abstract class PidboxInteropContract {

    protected static final String PIDBOX = "celery.pidbox";
    protected static final String REPLIES = "reply.celery.pidbox";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private Path script;
    private String url;
    protected Transport transport;
    private final List<Process> processes = new ArrayList<>();

    /** The broker both sides use, a URL kombu reads too; may skip the test when there is none. */
    protected abstract String brokerUrl();

    protected abstract Transport openTransport(String url);

    /** The Python client kombu's transport for this broker imports: {@code amqp}, {@code redis}. */
    protected abstract String pythonClientModule();

    @BeforeEach
    void installPeerAndOpen() throws Exception {
        url = brokerUrl();
        script = PythonPeer.install(PythonPeer.class, PythonPeer.CELERY_PIDBOX, dir, "celery", "kombu",
                pythonClientModule());
        transport = openTransport(url);
    }

    @AfterEach
    void stopPeersAndClose() throws InterruptedException {
        PythonPeer.stop(processes);
        if (transport != null) {
            transport.close();
        }
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

        String printed = runPeer("ping");
        s.close();

        assertThat(printed).isNotNull();
        assertThat(JSON.readTree(printed).path("jvm@test").path("ok").asText()).isEqualTo("pong");
    }

    /**
     * Runs the peer script in one of its modes ({@code ping}, {@code declare-reply-queue OID}) and waits for it to
     * end.
     *
     * @return the line it printed, or null for none
     */
    protected final String runPeer(String... modeAndArgs) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of(script.toString()));
        args.addAll(Arrays.asList(modeAndArgs));
        Process caller = start(args.toArray(String[]::new));
        String printed = new BufferedReader(new InputStreamReader(caller.getInputStream(), StandardCharsets.UTF_8))
                .readLine();
        assertThat(caller.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return printed;
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
        b.environment().put("CELERIAC_PEER_BROKER", url);
        if (args[0].equals("-m")) {
            b.redirectOutput(ProcessBuilder.Redirect.DISCARD); // the worker's banner; nobody reads it
        }
        Process p = b.start();
        processes.add(p);
        return p;
    }
}
