package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.CeleriacClient;
import org.celeriac.client.SendOptions;
import org.celeriac.client.TaskCall;
import org.celeriac.client.TaskFailedException;
import org.celeriac.config.Settings;
import org.celeriac.discovery.ServiceLoaderCatalog;
import org.celeriac.spi.backend.BackendException;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The worker end to end on the in-memory broker and backend: every outcome read back through the client. */
@Timeout(60)
class WorkerTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final ServiceLoaderCatalog plugins = new ServiceLoaderCatalog();
    private final List<AutoCloseable> open = new ArrayList<>();
    private Celeriac app;
    private CeleriacClient client;

    @BeforeEach
    void openApp() {
        app = app(Celeriac.inMemory(UUID.randomUUID().toString()));
        client = app.client();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private Celeriac app(Settings settings) {
        Celeriac a = Celeriac.open(settings, plugins);
        a.tasks().register(TestTasks.class);
        open.add(a);
        return a;
    }

    private Worker startWorker(Celeriac on, WorkerOptions options) {
        Worker w = on.worker(options);
        open.add(w);
        w.start();
        return w;
    }

    private Worker startWorker() {
        return startWorker(app, app.workerOptions().withConcurrency(2));
    }

    private static TaskFailedException failure(AsyncResult r) {
        try {
            Object value = r.get(WAIT);
            throw new AssertionError("expected a failure, got " + value);
        } catch (TaskFailedException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private List<Delivery> deadLetters(int expected) throws InterruptedException {
        List<Delivery> got = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (got.size() < expected && System.nanoTime() < deadline) {
            got.addAll(app.transport().receive(List.of("celeriac.dead_letter"), expected, Duration.ofMillis(200)));
        }
        return got;
    }

    private Message raw(String id, String contentType, byte[] body) {
        Map<String, Object> headers = new LinkedHashMap<>();
        if (id != null) {
            headers.put("id", id);
            headers.put("task", "t.add");
        }
        return new Message(body, contentType, "utf-8", headers, Map.of("priority", 0));
    }

    @Test
    void runsTaskAndStoresItsResult() throws Exception {
        startWorker();

        AsyncResult r = client.send("t.add", List.of(2, 3), Map.of());

        assertThat(r.get(WAIT)).isEqualTo(5);
        assertThat(r.state()).isEqualTo(TaskState.SUCCESS);
    }

    @Test
    void sendsABatchAndRunsEveryTaskInIt() throws Exception {
        startWorker();
        List<TaskCall> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            calls.add(TaskCall.of("t.add", List.of(i, 1), Map.of()));
        }
        calls.add(new TaskCall("t.add", List.of(100, 1), Map.of(), SendOptions.defaults().queue("other")));

        List<AsyncResult> sent = client.sendAll(calls);

        assertThat(sent).hasSize(51);
        for (int i = 0; i < 50; i++) {
            assertThat(sent.get(i).get(WAIT)).isEqualTo(i + 1);
        }
        assertThat(app.transport().size("other")).isEqualTo(1);
    }

    @Test
    void returnsNestedJsonUnchanged() throws Exception {
        startWorker();
        List<Object> args = List.of("\u00fc\u6f22", Map.of("k", java.util.Arrays.asList(1, null, 2.5)), List.of());

        Object value = client.send("t.echo", args, Map.of("flag", true)).get(WAIT);

        assertThat(value).isEqualTo(List.of(args, Map.of("flag", true)));
    }

    @Test
    void storesFailureWithTypeMessageAndTraceback() {
        startWorker();

        TaskFailedException e = failure(client.send("t.fail", List.of("boom"), Map.of()));

        assertThat(e.state()).isEqualTo(TaskState.FAILURE);
        assertThat(e.exception().type()).isEqualTo("IllegalStateException");
        assertThat(e.exception().module()).isEqualTo("java.lang");
        assertThat(e.exception().message()).isEqualTo("boom");
        assertThat(e.remoteTraceback()).contains("IllegalStateException: boom").contains("TestTasks.fail");
    }

    @Test
    void failsUnknownTaskWithNotRegisteredAndDeadLettersIt() throws Exception {
        startWorker();

        TaskFailedException e = failure(client.send("t.nope", List.of(), Map.of()));

        assertThat(e.exception().type()).isEqualTo("NotRegistered");
        assertThat(e.exception().module()).isEqualTo("celery.exceptions");
        assertThat(e.exception().message()).as("Celery's NotRegistered('t.nope')").isEqualTo("t.nope");
        List<Delivery> dead = deadLetters(1);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).message().headers()).containsEntry("task", "t.nope")
                .containsEntry("x-celeriac-dead-letter-reason", "Received unregistered task of type 't.nope'")
                .containsEntry("x-celeriac-original-queue", "celery");
        assertThat(client.send("t.add", List.of(1, 1), Map.of()).get(WAIT)).isEqualTo(2);
    }

    @Test
    void failsWrongArgumentsWithTypeError() {
        startWorker();

        TaskFailedException missing = failure(client.send("t.add", List.of(1), Map.of()));
        TaskFailedException wrongType = failure(client.send("t.add", List.of("a", 2), Map.of()));

        assertThat(missing.exception().type()).isEqualTo("TypeError");
        assertThat(missing.exception().module()).isEqualTo("builtins");
        assertThat(missing.exception().message()).isEqualTo("t.add() missing 1 required argument: 'y'");
        assertThat(wrongType.exception().message()).contains("argument 'x' must be long");
    }

    @Test
    void deadLettersMalformedMessagesAndRunsTheNextTask() throws Exception {
        startWorker();
        String badBody = UUID.randomUUID().toString();
        app.transport().publish("celery", raw(badBody, "application/json", "{not json".getBytes(StandardCharsets.UTF_8)));
        app.transport().publish("celery", raw(null, "application/json", "[[1, 2], {}, {}]".getBytes(StandardCharsets.UTF_8)));

        assertThat(client.send("t.add", List.of(2, 2), Map.of()).get(WAIT)).isEqualTo(4);
        TaskFailedException e = failure(client.result(badBody));
        assertThat(e.exception().type()).isEqualTo("MalformedMessage");
        assertThat(e.exception().message()).contains("cannot be decoded");
        List<Delivery> dead = deadLetters(2);
        assertThat(dead).extracting(d -> (String) d.message().headers().get("x-celeriac-dead-letter-reason"))
                .anySatisfy(reason -> assertThat(reason).contains("cannot be decoded"))
                .anySatisfy(reason -> assertThat(reason).contains("protocol v1 messages are not supported"));
    }

    @Test
    void refusesContentTypesNotAccepted() throws Exception {
        startWorker();
        String id = UUID.randomUUID().toString();
        app.transport().publish("celery", raw(id, "application/x-python-serialize", new byte[] {(byte) 0x80, 4, '.'}));

        TaskFailedException e = failure(client.result(id));

        assertThat(e.exception().type()).isEqualTo("ContentDisallowed");
        assertThat(e.exception().message()).contains("'application/x-python-serialize' is not accepted");
        assertThat(deadLetters(1)).hasSize(1);
    }

    @Test
    void deadLettersOversizedMessages() throws Exception {
        startWorker(app, app.workerOptions().withMaxMessageBytes(1000));

        TaskFailedException e = failure(client.send("t.echo", List.of("x".repeat(2000)), Map.of()));

        assertThat(e.exception().type()).isEqualTo("MessageTooLarge");
        assertThat(e.exception().message()).contains("larger than message_max_bytes (1000)");
        assertThat(client.send("t.add", List.of(1, 2), Map.of()).get(WAIT)).isEqualTo(3);
    }

    @Test
    void deadLettersMessagesWhoseHeadersAreLargerThanMessageMaxBytes() throws Exception {
        startWorker(app, app.workerOptions().withMaxMessageBytes(4000));
        String id = UUID.randomUUID().toString();
        Message m = raw(id, "application/json", "[[1, 2], {}, {}]".getBytes(StandardCharsets.UTF_8));
        Map<String, Object> headers = new LinkedHashMap<>(m.headers());
        headers.put("x-huge", List.of(Map.of("k", "h".repeat(5000))));

        app.transport().publish("celery", new Message(m.body(), m.contentType(), m.contentEncoding(), headers,
                m.properties()));

        TaskFailedException e = failure(client.result(id));
        assertThat(e.exception().type()).isEqualTo("MessageTooLarge");
        assertThat(e.exception().message()).contains("headers of at least").contains("message_max_bytes (4000)");
        assertThat(deadLetters(1)).hasSize(1);
    }

    @Test
    void clientRefusesToSendOversizedMessage() {
        Celeriac small = app(Celeriac.inMemory(UUID.randomUUID().toString()).with(Settings.MESSAGE_MAX_BYTES, "500"));

        assertThatThrownBy(() -> small.client().send("t.echo", List.of("x".repeat(1000)), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("more than message_max_bytes (500)");
        assertThat(small.transport().size("celery")).isZero();
    }

    @Test
    void retriesUntilTheTaskSucceeds() throws Exception {
        startWorker();

        assertThat(client.send("t.flaky", List.of(3), Map.of()).get(WAIT)).isEqualTo(3);
    }

    @Test
    void failsWithTheCauseOnceRetriesAreUsedUp() {
        startWorker();

        TaskFailedException e = failure(client.send("t.always_retry", List.of(), Map.of()));

        assertThat(e.exception().type()).isEqualTo("IllegalStateException");
        assertThat(e.exception().message()).isEqualTo("still broken");
    }

    @Test
    void countdownTaskWaitsWithoutHoldingThePool() throws Exception {
        startWorker(app, app.workerOptions().withConcurrency(1));

        AsyncResult later = client.send("t.add", List.of(1, 1), Map.of(), SendOptions.defaults().countdown(Duration.ofSeconds(3)));
        AsyncResult now = client.send("t.add", List.of(2, 2), Map.of());

        assertThat(now.get(WAIT)).isEqualTo(4);
        assertThat(later.ready()).isFalse();
        assertThat(later.get(WAIT)).isEqualTo(2);
    }

    @Test
    void revokesExpiredTask() {
        startWorker();

        TaskFailedException e = failure(client.send("t.add", List.of(1, 1), Map.of(),
                SendOptions.defaults().expires(Instant.now().minusSeconds(1))));

        assertThat(e.state()).isEqualTo(TaskState.REVOKED);
        assertThat(e.exception().type()).isEqualTo("TaskRevokedError");
    }

    @Test
    void revokesTaskThatExpiresWhileWaitingForItsCountdown() {
        startWorker();

        TaskFailedException e = failure(client.send("t.add", List.of(1, 1), Map.of(), SendOptions.defaults()
                .countdown(Duration.ofMillis(1500)).expires(Instant.now().plusMillis(300))));

        assertThat(e.state()).isEqualTo(TaskState.REVOKED);
        assertThat(e.exception().type()).isEqualTo("TaskRevokedError");
    }

    @Test
    void storesNothingForIgnoredResults() throws Exception {
        startWorker();
        AsyncResult ignored = client.send("t.ignored", List.of(), Map.of());
        AsyncResult askedToIgnore = client.send("t.add", List.of(1, 1), Map.of(), SendOptions.defaults().ignoreResult(true));

        assertThat(client.send("t.add", List.of(5, 5), Map.of()).get(WAIT)).isEqualTo(10);
        // The worker ran both before the last one finished (one queue, in order, on two threads).
        Thread.sleep(200);
        assertThat(ignored.state()).isEqualTo(TaskState.PENDING);
        assertThat(askedToIgnore.state()).isEqualTo(TaskState.PENDING);
    }

    @Test
    void runsTasksSentBeforeTheWorkerStarted() throws Exception {
        List<AsyncResult> sent = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            sent.add(client.send("t.add", List.of(i, 1), Map.of()));
        }

        startWorker();

        for (int i = 0; i < 20; i++) {
            assertThat(sent.get(i).get(WAIT)).isEqualTo(i + 1);
        }
    }

    @Test
    void warmShutdownFinishesRunningTasksAndReturnsPrefetchedOnes() throws Exception {
        Worker worker = startWorker(app, app.workerOptions().withConcurrency(1));
        List<AsyncResult> sent = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sent.add(client.send("t.sleep", List.of(0.3), Map.of()));
        }
        while (sent.get(0).state() != TaskState.SUCCESS && sent.get(1).state() == TaskState.PENDING) {
            Thread.sleep(20);
        }

        worker.stop();

        long done = sent.stream().filter(r -> r.state() == TaskState.SUCCESS).count();
        assertThat(done).isBetween(1L, 5L);
        assertThat(app.transport().size("celery")).isEqualTo(6 - done);
        startWorker(app, app.workerOptions());
        for (AsyncResult r : sent) {
            assertThat(r.get(WAIT)).isEqualTo(0.3);
        }
    }

    @Test
    void lateAckTaskRunsAgainWhenItsWorkerDies() throws Exception {
        String broker = "memory://" + UUID.randomUUID();
        Celeriac doomed = app(Settings.of(Map.of(Settings.BROKER_URL, broker, Settings.RESULT_BACKEND, broker)));
        startWorker(doomed, doomed.workerOptions().withConcurrency(1));
        AsyncResult r = doomed.client().send("t.late", List.of(1.0), Map.of());
        while (doomed.transport().size("celery") > 0) {
            Thread.sleep(10);
        }

        // The connection goes away with the task unacknowledged, as when a process dies.
        doomed.transport().close();
        Celeriac survivor = app(Settings.of(Map.of(Settings.BROKER_URL, broker, Settings.RESULT_BACKEND, broker)));
        startWorker(survivor, survivor.workerOptions());

        assertThat(survivor.client().result(r.id()).get(WAIT)).isEqualTo(1.0);
    }

    @Test
    void lateAckTaskWhoseResultCannotBeStoredRunsAgainRatherThanLosingIt() throws Exception {
        ResultBackend real = app.backend();
        AtomicInteger refusals = new AtomicInteger();
        // Refuses every store until the task has run once and the settler has given up on that result.
        ResultBackend flaky = new ResultBackend() {
            @Override
            public void store(TaskResult result, Duration ttl) {
                if (refusals.get() < 6) {
                    refusals.incrementAndGet();
                    throw new BackendException("backend down (test)", null);
                }
                real.store(result, ttl);
            }

            @Override
            public void storeAll(java.util.Collection<TaskResult> results, Duration ttl) {
                if (refusals.get() < 6) {
                    refusals.incrementAndGet();
                    throw new BackendException("backend down (test)", null);
                }
                real.storeAll(results, ttl);
            }

            @Override
            public Optional<TaskResult> get(String taskId) {
                return real.get(taskId);
            }

            @Override
            public void forget(String taskId) {
                real.forget(taskId);
            }

            @Override
            public long increment(String key, long delta, Duration ttl) {
                return real.increment(key, delta, ttl);
            }

            @Override
            public void close() {
            }
        };
        Worker w = new Worker(app.transport(), flaky, app.tasks(), plugins,
                app.workerOptions().withConcurrency(1).withAcksLate(true));
        open.add(w);
        w.start();

        AsyncResult r = client.send("t.add", List.of(2, 3), Map.of());

        assertThat(r.get(WAIT)).isEqualTo(5);
        assertThat(refusals.get()).isEqualTo(6);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (w.processed() < 2 && System.nanoTime() < deadline) { // the ack follows the result
            Thread.sleep(10);
        }
        // requeued once, then acked (the redelivery may also be counted, as a copy published in its place)
        assertThat(w.processed()).isBetween(2, 3);
    }

    @Test
    void messageForTaskBeingRedeployedWaitsForItInsteadOfBeingDeadLettered() throws Exception {
        startWorker();
        app.tasks().unregister(TestTasks.class.getClassLoader());

        AsyncResult r = client.send("t.add", List.of(2, 3), Map.of());
        Thread.sleep(1000);
        assertThat(r.state()).isEqualTo(TaskState.PENDING);
        app.tasks().register(TestTasks.class);

        assertThat(r.get(WAIT)).isEqualTo(5);
        assertThat(app.transport().size("celeriac.dead_letter")).isZero();
    }
}
