package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.config.Settings;
import org.celeriac.discovery.ServiceLoaderCatalog;
import org.celeriac.protocol.ExceptionInfo;
import org.celeriac.protocol.ProtocolV2;
import org.celeriac.protocol.TaskMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Revokes by stamped header, as Celery 5.3's {@code revoke_by_stamped_headers}, on messages stamped as it stamps. */
@Timeout(60)
class StampedRevokeTest extends ExecutionTestSupport {
    private final ProtocolV2 codec = new ProtocolV2(new ServiceLoaderCatalog().serializer("json"));

    @TempDir
    Path dir;

    @Test
    void tasksCarryingARevokedStampEndRevokedUnrunOthersRun() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 1);
        worker.revokeByStampedHeader("batch", 7L, false);

        String keyA = key();
        String keyB = key();
        AsyncResult listed = send(app, "x.lost_failed", keyA, Map.of("batch", List.of(8, 7)));
        AsyncResult other = send(app, "x.sleep", 0.0, Map.of("batch", 9));
        AsyncResult single = send(app, "x.lost_failed", keyB, Map.of("batch", 7, "other", "x"));

        assertThat(failure(listed).exception()).isEqualTo(ExceptionInfo.celery("TaskRevokedError", "revoked"));
        assertThat(failure(single).exception().type()).isEqualTo("TaskRevokedError");
        assertThat(other.get(WAIT)).isEqualTo(0.0);
        assertThat(ExecutionTasks.RUNS).doesNotContainKeys(keyA, keyB);
    }

    @Test
    void terminatingRevokeByStampInterruptsTheStampedTaskRunning() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 2);
        String key = key();
        AsyncResult running = send(app, "x.lost_failed", key, Map.of("tenant", "acme"));
        assertThat(ExecutionTasks.RETURNED.computeIfAbsent(key, k -> new CountDownLatch(1))
                .await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("task started").isTrue();

        worker.revokeByStampedHeader("tenant", "acme", true);

        assertThat(failure(running).exception()).isEqualTo(ExceptionInfo.celery("TaskRevokedError", "terminated"));
        assertThat(worker.isRevoked(running.id())).as("a revoke by stamp does not revoke the id").isFalse();
    }

    @Test
    void revokeByStampIsKeptInTheStateFileAndHoldsForTheNextWorker() throws Exception {
        Celeriac app = app(Settings.WORKER_STATE_DB, dir.resolve("worker.state").toString());
        Worker before = startWorker(app, 1);
        before.revokeByStampedHeader("tenant", "acme corp", false);
        before.stop();

        startWorker(app, 1);
        String key = key();
        AsyncResult stamped = send(app, "x.lost_failed", key, Map.of("tenant", "acme corp"));
        AsyncResult other = send(app, "x.sleep", 0.0, Map.of("tenant", "acme"));

        assertThat(failure(stamped).exception()).isEqualTo(ExceptionInfo.celery("TaskRevokedError", "revoked"));
        assertThat(other.get(WAIT)).isEqualTo(0.0);
        assertThat(ExecutionTasks.RUNS).doesNotContainKey(key);
    }

    /** Publishes a task stamped as Celery 5.3 stamps: names in {@code stamped_headers}, values in {@code stamps}. */
    private AsyncResult send(Celeriac app, String task, Object arg, Map<String, Object> stamps) {
        String id = UUID.randomUUID().toString();
        TaskMessage m = TaskMessage.of(id, task, List.of(arg), Map.of());
        m = new TaskMessage(m.id(), m.task(), m.args(), m.kwargs(), m.embed(), 0, null, null, null, null, null, null,
                null, null, false, null, 0,
                Map.of("stamped_headers", List.copyOf(stamps.keySet()), "stamps", stamps));
        app.transport().publish("celery", codec.encode(m, "celery"));
        return app.client().result(id);
    }
}
