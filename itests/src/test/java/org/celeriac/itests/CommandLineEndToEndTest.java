package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.celeriac.itests.CeleriacProcesses.Child;
import org.celeriac.itests.CeleriacProcesses.Finished;
import org.celeriac.spi.backend.TaskState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built command line as users run it: separate processes sharing the embedded database in their working
 * directory. Each test has its own directory, so its own database.
 */
class CommandLineEndToEndTest {
    /** The worker banner's last line: the worker consumes. */
    private static final String READY = "Stop with Ctrl-C";

    @RegisterExtension
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @TempDir
    Path dir;

    private final List<DirectClient> clients = new ArrayList<>();

    @AfterEach
    void closeClients() {
        clients.forEach(DirectClient::close);
    }

    @Test
    void startedWorkerRunsTaskSentFromAnotherProcess() throws Exception {
        Child worker = celeriac.start(dir, "start");
        worker.awaitOutput(READY);

        Finished call = celeriac.run(dir, "call", "demo.add", "--args", "[2,3]", "--wait");

        assertThat(call.exitCode()).as(call.err()).isZero();
        assertThat(call.out()).isEqualTo("5" + System.lineSeparator());
    }

    @Test
    void tasksSentWhileNoWorkerRunsExecuteAfterItStarts() throws Exception {
        List<String> ids = new ArrayList<>();
        // Sent by processes that are gone before the worker starts: the messages live in the database files.
        try (DirectClient sender = DirectClient.open(dir)) {
            for (int i = 0; i < 19; i++) {
                ids.add(sender.send("demo.add", i, i));
            }
        }
        Finished call = celeriac.run(dir, "call", "demo.add", "--args", "[100,1]");
        assertThat(call.exitCode()).as(call.err()).isZero();
        String calledId = call.out().strip();
        ids.add(calledId);

        celeriac.start(dir, "worker", "-c", "4").awaitOutput(READY);

        client().awaitAll(ids, TaskState.SUCCESS);
        assertThat(client().result(ids.get(7)).result()).isEqualTo(14);
        Finished result = celeriac.run(dir, "result", calledId);
        assertThat(result.out().strip()).isEqualTo("SUCCESS 101");
    }

    @Test
    void inspectControlAndEventsReachAWorkerOnTheEmbeddedDefault() throws Exception {
        Child worker = celeriac.start(dir, "worker", "-n", "sqlw@test", "-c", "2", "-E");
        worker.awaitOutput(READY);
        // named (-d), each call returns once that worker replied, as Celery's does, rather than at its timeout

        Finished ping = celeriac.run(dir, "inspect", "ping", "-d", "sqlw@test", "-t", "5");
        assertThat(ping.exitCode()).as(ping.err()).isZero();
        assertThat(ping.out()).contains("->  sqlw@test: OK", "pong");
        Finished grow = celeriac.run(dir, "control", "pool_grow", "2", "--json", "-d", "sqlw@test", "-t", "5");
        assertThat(grow.out().strip()).isEqualTo("{\"sqlw@test\":{\"ok\":\"pool will grow\"}}");
        Finished stats = celeriac.run(dir, "inspect", "stats", "--json", "-d", "sqlw@test", "-t", "5");
        assertThat(stats.out()).contains("\"max-concurrency\":4");

        // the stream as another process sees it, while a task runs
        Child events = celeriac.start(dir, "events", "--dump", "--for", "20");
        events.awaitOutput("listening");
        Finished call = celeriac.run(dir, "call", "demo.add", "--args", "[2,3]", "--wait");
        assertThat(call.out().strip()).isEqualTo("5");
        events.awaitOutput("task succeeded: demo.add(");
        events.awaitOutput("] heartbeat: ");

        Finished shutdown = celeriac.run(dir, "control", "shutdown", "-t", "2");
        assertThat(shutdown.exitCode()).isEqualTo(69); // Celery's worker does not reply to shutdown either
        assertThat(worker.process().waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(worker.process().exitValue()).isZero();
        Finished none = celeriac.run(dir, "status", "-t", "1");
        assertThat(none.exitCode()).isEqualTo(69);
        assertThat(none.err()).contains("No nodes replied");
    }

    @Test
    void workerKilledWithSigkillLosesNoLateAckTask() throws Exception {
        // A short visibility timeout, so that what the killed worker held comes back within seconds.
        String[] worker = {"worker", "--acks-late", "-c", "2", "--broker", "sql://?visibility_timeout=2"};
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ids.add(client().send("demo.sleep", 1));
        }
        Child first = celeriac.start(dir, worker);
        first.awaitOutput(READY);
        client().awaitCount(ids, TaskState.SUCCESS, 1);

        first.process().destroyForcibly();
        first.awaitExit();
        assertThat(client().count(ids, TaskState.SUCCESS)).as("finished before the kill").isLessThan(ids.size());

        celeriac.start(dir, worker).awaitOutput(READY);
        client().awaitAll(ids, TaskState.SUCCESS);
    }

    @Test
    void sigtermFinishesRunningTaskAndReturnsPrefetched() throws Exception {
        String marker = client().send("demo.add", 0, 0);
        String running = client().send("demo.sleep", 4);
        List<String> waiting = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            waiting.add(client().send("demo.add", i, i));
        }
        // One task at a time, four taken ahead: the marker, the sleep task, two of those waiting.
        Child first = celeriac.start(dir, "worker", "-c", "1", "--prefetch-multiplier", "4");
        first.awaitOutput(READY);
        // First in, first out on one thread: when the marker is done, the sleep task runs.
        client().awaitAll(List.of(marker), TaskState.SUCCESS);

        first.process().destroy();

        assertThat(first.awaitExit()).as("exit code after SIGTERM").isZero();
        assertThat(client().state(running)).isEqualTo(TaskState.SUCCESS);
        assertThat(waiting).allSatisfy(id -> assertThat(client().state(id)).isEqualTo(TaskState.PENDING));

        celeriac.start(dir, "worker", "-c", "1").awaitOutput(READY);
        client().awaitAll(waiting, TaskState.SUCCESS);
    }

    @Test
    void secondSigintStopsColdAndAnotherWorkerRunsTheInterruptedLateAckTask() throws Exception {
        String marker = client().send("demo.add", 0, 0);
        String running = client().send("demo.sleep", 3);
        Child first = celeriac.start(dir, "worker", "-c", "1", "--acks-late");
        first.awaitOutput(READY);
        // One thread, first in first out: when the marker is done, the sleep task runs.
        client().awaitAll(List.of(marker), TaskState.SUCCESS);

        signal(first, "INT");
        Thread.sleep(300);
        signal(first, "INT");

        assertThat(first.awaitExit()).as("exit code after a cold stop by SIGINT").isEqualTo(130);
        assertThat(first.err()).contains("cold shutdown");
        assertThat(client().state(running)).as("interrupted and not acknowledged").isEqualTo(TaskState.PENDING);

        // Given back by the transport's close, not after the visibility timeout (an hour by default).
        celeriac.start(dir, "worker", "-c", "1").awaitOutput(READY);
        client().awaitAll(List.of(running), TaskState.SUCCESS);
    }

    private static void signal(Child child, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(child.process().pid())).start();
        assertThat(kill.waitFor()).as("kill -%s", name).isZero();
    }

    /** The test's own client on this test's database; opened on first use. */
    private DirectClient client() {
        if (clients.isEmpty()) {
            clients.add(DirectClient.open(dir));
        }
        return clients.get(0);
    }
}
