package org.celeriac.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.celeriac.app.Celeriac;
import org.celeriac.canvas.Chain;
import org.celeriac.canvas.Signature;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.SendOptions;
import org.celeriac.client.TaskFailedException;
import org.celeriac.config.Settings;
import org.celeriac.control.ControlTarget;
import org.celeriac.discovery.ServiceLoaderCatalog;
import org.celeriac.spi.events.Event;
import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.worker.TestTasks;
import org.celeriac.worker.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker configured as Celery's {@code setup_security} asks ({@code task_serializer=auth},
 * {@code accept_content=auth}), on the in-memory broker: what is signed by a trusted certificate runs, and what is
 * not is dead-lettered unrun with a FAILURE saying why, the next task running.
 */
@Timeout(60)
class SignedWorkerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    static Path dir;
    static TestCertificates.Signer alice;
    static TestCertificates.Signer mallory;

    private final ServiceLoaderCatalog plugins = new ServiceLoaderCatalog();
    private final List<AutoCloseable> open = new ArrayList<>();
    private String broker;
    private Celeriac app;

    @BeforeAll
    static void keys() throws IOException, InterruptedException {
        Path trusted = Files.createDirectories(dir.resolve("trusted"));
        alice = TestCertificates.create(dir, "alice", 1, false);
        mallory = TestCertificates.create(dir, "mallory", 2, false);
        Files.copy(alice.certificate(), trusted.resolve("alice.pem"));
    }

    @BeforeEach
    void startSignedWorker() {
        broker = "memory://" + UUID.randomUUID();
        app = app(alice);
        Worker w = app.worker(app.workerOptions().withConcurrency(2));
        open.add(w);
        w.start();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private Celeriac app(TestCertificates.Signer signer) {
        return app(signer, "auth", "auth");
    }

    private Celeriac app(TestCertificates.Signer signer, String taskSerializer, String acceptContent) {
        Map<String, String> s = new HashMap<>(Map.of(Settings.BROKER_URL, broker, Settings.RESULT_BACKEND, broker,
                Settings.TASK_SERIALIZER, taskSerializer, Settings.ACCEPT_CONTENT, acceptContent,
                Settings.SECURITY_KEY, signer.key().toString(),
                Settings.SECURITY_CERTIFICATE, signer.certificate().toString(),
                Settings.SECURITY_CERT_STORE, dir.resolve("trusted").toString()));
        Celeriac a = Celeriac.open(Settings.of(s), plugins);
        a.tasks().register(TestTasks.class);
        open.add(a);
        return a;
    }

    private static TaskFailedException failure(AsyncResult r) throws Exception {
        try {
            throw new AssertionError("expected a failure, got " + r.get(WAIT));
        } catch (TaskFailedException e) {
            return e;
        }
    }

    private String deadLetterReason() throws InterruptedException {
        List<Delivery> dead = app.transport().receive(List.of("celeriac.dead_letter"), 1, WAIT);
        assertThat(dead).hasSize(1);
        return (String) dead.get(0).message().headers().get("x-celeriac-dead-letter-reason");
    }

    private void assertNextTaskRuns() throws Exception {
        assertThat(app.client().send("t.add", List.of(20, 22), Map.of()).get(WAIT)).isEqualTo(42);
    }

    @Test
    void signedTasksRunAndSoDoTheRetriesAndWorkflowStepsTheWorkerSigns() throws Exception {
        assertThat(app.client().send("t.add", List.of(2, 3), Map.of()).get(WAIT)).isEqualTo(5);
        assertThat(app.client().send("t.flaky", List.of(2), Map.of()).get(WAIT)).isEqualTo(2);
        AsyncResult chain = app.client().apply(Chain.of(Signature.of("t.add", 2, 2), Signature.of("t.add", 4)));
        assertThat(chain.get(WAIT)).isEqualTo(8);
    }

    @Test
    void unsignedTaskIsRefusedAsContentDisallowed() throws Exception {
        String id = UUID.randomUUID().toString();
        app.transport().publish("celery", new Message("[[1, 2], {}, {}]".getBytes(StandardCharsets.UTF_8),
                "application/json", "utf-8", Map.of("id", id, "task", "t.add"), Map.of("priority", 0)));

        TaskFailedException e = failure(app.client().result(id));

        assertThat(e.exception().type()).isEqualTo("ContentDisallowed");
        assertThat(deadLetterReason()).contains("'application/json' is not accepted");
        assertNextTaskRuns();
    }

    @Test
    void taskSignedByACertificateNotInTheStoreIsRefused() throws Exception {
        AsyncResult forged = app(mallory).client().send("t.add", List.of(1, 1), Map.of());

        TaskFailedException e = failure(forged);

        assertThat(e.exception().module()).isEqualTo("celery.exceptions");
        assertThat(e.exception().type()).isEqualTo("SecurityError");
        assertThat(e.exception().message()).isEqualTo("Unknown certificate: 'DE Celeriac Test mallory 2'");
        assertThat(deadLetterReason()).isEqualTo(
                "refused by the auth serializer: Unknown certificate: 'DE Celeriac Test mallory 2'");
        assertNextTaskRuns();
    }

    @Test
    void signedTaskWhoseArgumentsWereChangedIsRefused() throws Exception {
        AsyncResult held = app.client().send("t.add", List.of(2, 3), Map.of(), SendOptions.defaults().queue("held"));
        Message signed = app.transport().receive(List.of("held"), 1, WAIT).get(0).message();
        String payload = new String(Base64.getDecoder().decode(signed.body()), StandardCharsets.ISO_8859_1);
        assertThat(payload).contains("[[2,3],");
        byte[] tampered = Base64.getEncoder().encode(payload.replace("[[2,3],", "[[2,9],")
                .getBytes(StandardCharsets.ISO_8859_1));
        app.transport().publish("celery", new Message(tampered, signed.contentType(), signed.contentEncoding(),
                signed.headers(), signed.properties()));

        TaskFailedException e = failure(held);

        assertThat(e.exception().type()).isEqualTo("SecurityError");
        assertThat(e.exception().message()).startsWith("Bad signature");
        assertThat(deadLetterReason()).contains("Bad signature");
        assertNextTaskRuns();
    }

    @Test
    void remoteControlAnswersOnlySignedCommandsAndSignsItsReplies() {
        ControlTarget quick = ControlTarget.all().withTimeout(Duration.ofMillis(500));
        String worker = app.workerOptions().hostname();

        assertThat(app.control().call("ping", Map.of(), quick)).containsEntry(worker, Map.of("ok", "pong"));
        // both callers would read a signed reply, had the worker sent one
        assertThat(app(alice, "json", "json,auth").control().call("ping", Map.of(), quick)).isEmpty();
        assertThat(app(mallory).control().call("ping", Map.of(), quick)).isEmpty();
    }

    @Test
    void signedEventsOfTrustedSignersAreHeardAndOthersSkipped() throws Exception {
        BlockingQueue<Event> heard = new LinkedBlockingQueue<>();
        Celeriac monitor = app(alice);
        try (Subscription s = monitor.events("task.#", heard::add)) {
            for (TestCertificates.Signer signer : List.of(mallory, alice)) {
                AuthSerializer auth = MessageSigning.serializer(app(signer).settings(), plugins,
                        new TestCertificates.MovableClock());
                monitor.transport().publishTopic("celeryev", "task.succeeded", new Message(
                        auth.encode(Map.of("type", "task-succeeded", "uuid", signer.id(), "clock", 7)),
                        auth.contentType(), auth.contentEncoding(), Map.of(), Map.of()));
            }
            Event first = heard.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(first).isNotNull();
            assertThat(first.fields()).containsEntry("uuid", alice.id());
            assertThat(heard.poll(200, TimeUnit.MILLISECONDS)).as("mallory's event").isNull();
        }
    }
}
