package org.celeriac.transport.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.config.Settings;
import org.celeriac.tck.PythonPeer;
import org.celeriac.worker.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Celeriac's worker and client on SQS (ElasticMQ) beside Python Celery's, selected by {@code sqs://} through the
 * plugin discovery: a task Python Celery sends runs on a Celeriac worker, and one Celeriac's client sends runs on a
 * Celery worker. The worker runs without remote control or events, which SQS cannot carry.
 */
class SqsCeleriacWorkerInteropTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PREFIX = "celeriac-";

    @RegisterExtension
    static final ElasticMq SQS = new ElasticMq();

    @TempDir
    static Path dir;
    private static Path script;

    private Celeriac app;

    @BeforeAll
    static void requireCelery() throws Exception {
        script = PythonPeer.install(SqsCeleriacWorkerInteropTest.class, "/kombu/sqs_peer.py", dir, "celery",
                "kombu", "boto3", "pycurl");
    }

    @AfterEach
    void close() {
        if (app != null) {
            app.close();
        }
    }

    private Celeriac app(String queue) {
        Map<String, String> s = new HashMap<>();
        s.put(Settings.BROKER_URL, SQS.url());
        s.put(Settings.RESULT_BACKEND, "memory://sqs-" + UUID.randomUUID());
        s.put("task_default_queue", queue);
        s.put("broker_transport_options.queue_name_prefix", PREFIX);
        s.put("broker_transport_options.wait_time_seconds", "1");
        s.put("broker_transport_options.visibility_timeout", "30");
        app = Celeriac.open(Settings.of(s));
        app.tasks().register(InteropTasks.class);
        return app;
    }

    @Test
    void taskSentByPythonCeleryRunsOnCeleriacWorker() throws Exception {
        String queue = "interop.w" + UUID.randomUUID().toString().substring(0, 8);
        Celeriac a = app(queue);
        Worker worker = a.worker(a.workerOptions().withQueues(List.of(queue)).withConcurrency(1));
        worker.start();

        String id = python("send", queue).strip();

        AsyncResult r = a.client().result(id);
        assertThat(r.get(Duration.ofSeconds(30))).isEqualTo(5);
    }

    @Test
    void taskSentByCeleriacClientRunsOnCeleryWorker() throws Exception {
        String queue = "interop.c" + UUID.randomUUID().toString().substring(0, 8);
        Celeriac a = app(queue);
        Path out = dir.resolve("ran-" + queue + ".json");

        AsyncResult sent = a.client().send("demo.add", List.of(2, 3), Map.of("k", 1));

        Path log = dir.resolve("worker-" + queue + ".log");
        Process worker = new ProcessBuilder(PythonPeer.PYTHON, script.toString(), "work", SQS.url(), PREFIX, queue,
                out.toString()).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(out) && worker.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(out).as(Files.readString(log)).exists();
            Thread.sleep(200); // written at once; let the write finish
            @SuppressWarnings("unchecked")
            Map<String, Object> ran = JSON.readValue(Files.readString(out), Map.class);
            assertThat(ran).containsEntry("id", sent.id()).containsEntry("args", List.of(2, 3))
                    .containsEntry("k", 1);
        } finally {
            PythonPeer.stop(List.of(worker));
        }
    }

    private String python(String mode, String queue) throws Exception {
        Process p = new ProcessBuilder(PythonPeer.PYTHON, script.toString(), mode, SQS.url(), PREFIX, queue)
                .directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("python " + mode + " failed: " + out);
        }
        return out;
    }
}
