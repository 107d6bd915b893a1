package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.celeriac.client.SendOptions;
import org.celeriac.spi.backend.TaskState;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Celery's remote control and events between Python Celery and a Celeriac worker process, on one broker, whichever it
 * is: a subclass names it. Celery's command line ({@code celery -A app inspect|control|events}) gets Celery-shaped
 * answers from a Celeriac worker and changes what it does; Celeriac's ({@code celeriac inspect|control|events})
 * does the same to Python workers and Celeriac ones in other processes.
 *
 * <p>One Celeriac worker, {@code jvm1@%h} with task events ({@code -E}) and concurrency 2, serves the whole class;
 * tests that stop, restart or need more workers start their own. Python workers consume a queue of their own, so
 * that they take none of the tasks meant for Celeriac's. {@code -Dceleriac.itests.subject=python} runs the same
 * checks against a Python worker instead of Celeriac's (see {@link RemoteWorkers}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RemoteControlInteropContract {
    /** The queue Python workers consume here. */
    static final String PYTHON_QUEUE = "pyq";
    /** A countdown long enough for a revoke to come first on a slow machine, short enough to wait for. */
    static final Duration COUNTDOWN = Duration.ofSeconds(8);

    @RegisterExtension
    static final CeleriacProcesses CLASS_CELERIAC = CeleriacProcesses.classWide();

    @RegisterExtension
    static final PythonProcesses CLASS_PYTHON = PythonProcesses.classWide();

    @RegisterExtension
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @RegisterExtension
    final PythonProcesses python = new PythonProcesses();

    @TempDir
    static Path dir;

    /** The class's workers: the shared one, and a Python one once a test asked for it. */
    private RemoteWorkers shared;
    /** Each test's own workers and command lines, killed after it. */
    RemoteWorkers workers;
    /** jvm1, the worker under test that the class shares. */
    RemoteWorkers.Worker worker;
    private RemoteWorkers.Worker pythonWorker;

    /**
     * Skips the class (fails it under CI) when its broker or what Python needs for it is missing; called before
     * anything else.
     */
    abstract void require() throws Exception;

    /** The broker and result backend of this class alone. */
    abstract RemoteWorkers.Urls urls();

    /** Leaves broker and backend as new: no messages, queues or results of earlier classes. */
    abstract void clear() throws Exception;

    @BeforeAll
    void startSharedWorker() throws Exception {
        require();
        clear();
        shared = new RemoteWorkers(CLASS_CELERIAC, CLASS_PYTHON, dir, urls());
        workers = new RemoteWorkers(celeriac, python, dir, urls());
        worker = shared.subject("jvm1", "-E");
    }

    /** A test on a worker that is gone would only time out: say so at once. */
    @BeforeEach
    void sharedWorkerRuns() {
        assertThat(worker.process().isAlive()).as("the class's worker %s still runs; its log:%n%s", worker.node(),
                worker.log().get()).isTrue();
    }

    @AfterAll
    void stopSharedWorkers() throws InterruptedException {
        if (workers != null) {
            workers.close();
            shared.close();
        }
        CLASS_CELERIAC.killAll();
        CLASS_PYTHON.killAll();
    }

    /** A Python Celery worker, {@code pyw@%h}, with task events, on {@link #PYTHON_QUEUE}: started once a class. */
    RemoteWorkers.Worker pythonWorker() throws InterruptedException {
        if (pythonWorker == null) {
            pythonWorker = shared.start(RemoteWorkers.Kind.PYTHON, "pyw", "-E", "-Q", PYTHON_QUEUE);
        }
        return pythonWorker;
    }

    // --------------------------------------------------------------------------- Celery's command line

    @Test
    void celeryInspectPingGetsPong() throws Exception {
        JsonNode reply = workers.inspect(worker.node(), "ping");

        assertThat(reply.path("ok").asText()).isEqualTo("pong");
    }

    @Test
    void celeryInspectStatsHasCelerysFields() throws Exception {
        String id = workers.send("demo.add", 2, 3);
        workers.awaitState(id, TaskState.SUCCESS);

        JsonNode stats = workers.inspect(worker.node(), "stats");

        assertThat(stats.path("pool").path("max-concurrency").isInt()).as("pool.max-concurrency: %s", stats).isTrue();
        assertThat(stats.path("pool").path("processes").isArray()).as("pool.processes: %s", stats).isTrue();
        assertThat(stats.path("total").path("demo.add").asInt()).as("total.demo.add: %s", stats).isPositive();
        assertThat(stats.path("pid").isIntegralNumber()).as("pid: %s", stats).isTrue();
        assertThat(stats.path("pid").asLong()).isEqualTo(worker.process().pid());
        assertThat(stats.path("uptime").isNumber()).as("uptime: %s", stats).isTrue();
        assertThat(stats.path("prefetch_count").isIntegralNumber()).as("prefetch_count: %s", stats).isTrue();
        assertThat(stats.path("broker").path("transport").isTextual()).as("broker.transport: %s", stats).isTrue();
        assertThat(stats.path("rusage").isObject()).as("rusage: %s", stats).isTrue();
    }

    @Test
    void celeryInspectRegisteredListsDemoTasks() throws Exception {
        JsonNode registered = workers.inspect(worker.node(), "registered");

        List<String> names = new ArrayList<>();
        // Celery adds the options set at run time: "demo.add [rate_limit=10/s]"
        registered.forEach(n -> names.add(n.asText().replaceFirst(" \\[.*", "")));
        assertThat(names).contains("demo.add", "demo.sleep");
    }

    @Test
    void celeryInspectActiveListsRunningTask() throws Exception {
        String id = workers.send("demo.sleep", 20);

        // celery inspect active, until it lists the task: it runs
        JsonNode request = workers.awaitActive(worker.node(), id);

        assertThat(request.path("name").asText()).as("%s", request).isEqualTo("demo.sleep");
        assertThat(request.path("hostname").asText()).as("%s", request).isEqualTo(worker.node());
        assertThat(request.path("args").toString()).as("%s", request).contains("20");
        // not to hold a pool thread for the tests after this one
        workers.control(worker.node(), "terminate", "SIGTERM", id);
        workers.awaitState(id, TaskState.REVOKED);
    }

    @Test
    void celeryInspectActiveQueuesListsDefaultQueue() throws Exception {
        JsonNode queues = workers.inspect(worker.node(), "active_queues");

        List<String> names = new ArrayList<>();
        queues.forEach(q -> names.add(q.path("name").asText()));
        assertThat(names).as("%s", queues).containsExactly("celery");
        assertThat(queues.get(0).path("exchange").path("name").asText()).as("%s", queues).isEqualTo("celery");
        assertThat(queues.get(0).path("routing_key").asText()).as("%s", queues).isEqualTo("celery");
    }

    @Test
    void celeryControlRateLimitIsSet() throws Exception {
        JsonNode reply = workers.control(worker.node(), "rate_limit", "demo.add", "10/s");

        assertThat(reply.path("ok").asText()).as("%s", reply).isEqualTo("new rate limit set successfully");
    }

    @Test
    void celeryControlRevokeEndsCountdownTaskRevoked() throws Exception {
        String id = workers.send("demo.add", List.of(1, 2), SendOptions.defaults().countdown(COUNTDOWN));

        JsonNode reply = workers.control(worker.node(), "revoke", id);

        assertThat(reply.path("ok").asText()).as("%s", reply).contains(id);
        workers.awaitState(id, TaskState.REVOKED);
    }

    @Test
    void celeryControlPoolGrowGrowsPool() throws Exception {
        int before = worker.poolSize(workers.inspect(worker.node(), "stats"));

        JsonNode reply = workers.control(worker.node(), "pool_grow", "2");

        assertThat(reply.has("ok")).as("%s", reply).isTrue();
        int[] now = {before};
        RemoteWorkers.await("the pool of " + worker.node() + " to grow from " + before + " by 2",
                () -> (now[0] = worker.poolSize(workers.inspect(worker.node(), "stats"))) == before + 2,
                () -> "pool size " + now[0]);
    }

    @Test
    void celeryControlShutdownStopsWorker() throws Exception {
        RemoteWorkers.Worker own = workers.subject("jvm-shutdown");

        // Celery's workers do not reply to a shutdown: whatever the command line says of replies is no matter.
        workers.celery("control", "shutdown", "-d", own.node(), "-t", "2");

        assertThat(own.awaitExit()).as("exit code of %s", own.node()).isZero();
    }

    // ------------------------------------------------------------------------- Celeriac's command line

    @Test
    void celeriacInspectPingListsPythonWorker() throws Exception {
        String node = pythonWorker().node();

        CeleriacProcesses.Finished ping = workers.celeriac("inspect", "ping", "-d", node, "-t", "5", "-j");

        assertThat(ping.exitCode()).as(ping.err()).isZero();
        assertThat(RemoteWorkers.json(ping.out()).path(node).path("ok").asText()).as(ping.out()).isEqualTo("pong");
    }

    /**
     * {@code celeriac control terminate TERM ID}, in a process of its own, stops a task running on a worker in
     * another; the task ends REVOKED.
     */
    @Test
    void celeriacTerminateEndsRunningTaskRevoked() throws Exception {
        String id = workers.send("demo.sleep", 20);
        workers.awaitActive(worker.node(), id);

        CeleriacProcesses.Finished terminate = workers.celeriac("control", "terminate", "TERM", id, "-d",
                worker.node(), "-t", "5");

        assertThat(terminate.exitCode()).as(terminate.out() + terminate.err()).isZero();
        assertThat(terminate.out()).contains(worker.node() + ": OK");
        workers.awaitState(id, TaskState.REVOKED);
    }

    /**
     * A revoke from {@code celeriac control} reaches every worker, each of which lists the task as revoked; one that
     * keeps its revokes in a state file ({@code -S}) still lists it after a restart.
     */
    @Test
    void celeriacRevokeReachesEveryWorkerAndOutlivesRestartWithStateFile() throws Exception {
        String stateFile = dir.resolve("jvm2.state").toString();
        RemoteWorkers.Worker second = workers.subject("jvm2", "-S", stateFile);
        String id = workers.send("demo.add", List.of(3, 4), SendOptions.defaults().countdown(Duration.ofSeconds(60)));

        CeleriacProcesses.Finished revoke = workers.celeriac("control", "revoke", id, "-t", "2");

        assertThat(revoke.exitCode()).as(revoke.out() + revoke.err()).isZero();
        assertThat(revoke.out()).contains(worker.node() + ": OK", second.node() + ": OK");
        assertThat(revoked(worker.node())).contains(id);
        assertThat(revoked(second.node())).contains(id);

        second.stopWarm();
        RemoteWorkers.Worker restarted = workers.subject("jvm2", "-S", stateFile);
        assertThat(revoked(restarted.node())).as("revoked after a restart").contains(id);
    }

    private List<String> revoked(String node) throws InterruptedException {
        List<String> ids = new ArrayList<>();
        workers.inspect(node, "revoked").forEach(n -> ids.add(n.asText()));
        return ids;
    }

    // ---------------------------------------------------------------------------------------- events

    /**
     * Celery's {@code celery events --dump} shows the worker's heartbeats and, with {@code -E}, the events of a task
     * it ran, in Celery's own words.
     */
    @Test
    void celeryEventsDumpShowsWorkersTaskEventsAndHeartbeats() throws Exception {
        PythonProcesses.Child dump = workers.startCelery("events-dump", "events", "--dump");
        String node = Pattern.quote(worker.node());
        Pattern heartbeat = Pattern.compile("(?m)^" + node + " \\[[^]]+\\] heartbeat: .*\\bactive=");
        RemoteWorkers.await("a heartbeat of " + worker.node() + " in celery events --dump",
                () -> heartbeat.matcher(dump.output()).find(), dump::output);

        String id = workers.send("demo.add", 20, 22);
        workers.awaitState(id, TaskState.SUCCESS);

        String task = Pattern.quote("demo.add(" + id + ")");
        Pattern received = Pattern.compile("(?m)^" + node + " \\[[^]]+\\] task received: " + task + " args=");
        Pattern succeeded = Pattern.compile("(?m)^" + node + " \\[[^]]+\\] task succeeded: " + task + " .*result=42");
        RemoteWorkers.await("task received and succeeded of " + id + " in celery events --dump",
                () -> received.matcher(dump.output()).find() && succeeded.matcher(dump.output()).find(),
                dump::output);
        // Celery's SOFTWARE_INFO, which Flower shows: the worker's software and its version
        Matcher software = Pattern.compile("(?m)^" + node + " \\[[^]]+\\] heartbeat: .*\\bsw_ident=(\\S+), .*"
                + "\\bsw_ver=([^,]+),").matcher(dump.output());
        assertThat(software.find()).as("sw_ident and sw_ver in:%n%s", dump.output()).isTrue();
        assertThat(software.group(2)).as("sw_ver of %s (sw_ident %s)", worker.node(), software.group(1))
                .matches("\\d+\\.\\d+.*");
    }

    /**
     * {@code celeriac events --dump} shows a Python worker's heartbeats and the events of a task it ran, in the lines
     * Celery's {@code celery events --dump} prints.
     */
    @Test
    void celeriacEventsDumpShowsPythonWorkersTaskEventsAndHeartbeats() throws Exception {
        String node = pythonWorker().node();
        CeleriacProcesses.Child dump = workers.startCeleriac("events", "--dump", "--for", "60");
        RemoteWorkers.await("an event of " + node + " in celeriac events --dump",
                () -> dump.out().contains(node + " ["), () -> dump.out() + dump.err());

        String id = workers.send("demo.add", List.of(20, 22), SendOptions.defaults().queue(PYTHON_QUEUE));
        workers.awaitState(id, TaskState.SUCCESS);

        String quoted = Pattern.quote(node);
        String task = Pattern.quote("demo.add(" + id + ")");
        Pattern received = Pattern.compile("(?m)^" + quoted + " \\[[^]]+\\] task received: " + task + " args=");
        Pattern succeeded = Pattern.compile("(?m)^" + quoted + " \\[[^]]+\\] task succeeded: " + task
                + " .*result=42");
        RemoteWorkers.await("task received and succeeded of " + id + " in celeriac events --dump",
                () -> received.matcher(dump.out()).find() && succeeded.matcher(dump.out()).find(),
                () -> dump.out() + dump.err());
        // Celery's dumper names worker events by its HUMAN_TYPES: a heartbeat is "heartbeat", not "worker heartbeat"
        Pattern heartbeat = Pattern.compile("(?m)^" + quoted + " \\[[^]]+\\] heartbeat: .*\\bactive=");
        assertThat(heartbeat.matcher(dump.out()).find()).as("a line '%s [TIME] heartbeat: active=...' as Celery's "
                + "dumper prints (celery/events/dumper.py HUMAN_TYPES: worker-heartbeat is 'heartbeat', worker-online "
                + "'started', worker-offline 'shutdown') in:%n%s", node, dump.out()).isTrue();
    }
}
