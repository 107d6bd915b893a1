package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.config.Settings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real Python Celery and Celeriac as equals on one broker and result backend, whichever they are: a subclass names
 * them (and makes sure Python can import what Celery needs for them). A Python client gets results from a Celeriac
 * worker (argument shapes, failures, an unknown task, countdown, ETA, expires, priority), a Celeriac client gets
 * results from a Python worker, and both kinds of worker share Celery's default queue, each task running once.
 * Python Celery is Debian's (python3-celery, importable by {@code /usr/bin/python3} only).
 */
abstract class CeleryInteropContract {
    /** The Celeriac worker banner's last line: the worker consumes. */
    static final String CELERIAC_READY = "Stop with Ctrl-C";
    static final Duration WAIT = CeleriacProcesses.WAIT;
    /** Celery's worker log line for a task that succeeded: {@code Task demo.add[ID] succeeded in 0.001s: 3}. */
    private static final Pattern PYTHON_SUCCEEDED =
            Pattern.compile("Task demo\\.add\\[([0-9a-f-]{36})\\] succeeded in [0-9.e-]+s: ");
    /** Celeriac's: {@code Task demo.add[ID] succeeded in 1 ms}. */
    private static final Pattern CELERIAC_SUCCEEDED =
            Pattern.compile("Task demo\\.add\\[([0-9a-f-]{36})\\] succeeded in \\d+ ms");

    private final int sharedQueueTasksEach;

    @RegisterExtension
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @RegisterExtension
    final PythonProcesses python = new PythonProcesses();

    @TempDir
    Path dir;

    /** @param sharedQueueTasksEach how many tasks each kind of client sends when both kinds of worker share a queue */
    CeleryInteropContract(int sharedQueueTasksEach) {
        this.sharedQueueTasksEach = sharedQueueTasksEach;
    }

    /** The broker as Celeriac is told it. */
    abstract String broker();

    /** The broker as Python Celery is told it. */
    String pythonBroker() {
        return broker();
    }

    /** The result backend, the same URL for both. */
    abstract String backend();

    /** Leaves broker and backend as new: no messages, queues or results of earlier tests. */
    abstract void clear() throws Exception;

    /** Asserts that nothing is left on Celery's default queue, neither waiting nor unacked, once every worker stopped. */
    abstract void assertDefaultQueueDrained() throws Exception;

    @BeforeEach
    final void clearBrokerAndBackend() throws Exception {
        clear();
    }

    @Test
    void pythonClientGetsResultFromCeleriacWorker() throws Exception {
        celeriacWorker();
        String out = runPython("client", """
                import json, sys
                from celery import Celery
                app = Celery(broker=sys.argv[1], backend=sys.argv[2])
                print('add:', app.send_task('demo.add', (2, 3)).get(timeout=60), flush=True)
                big = [2**31, -2**31 - 1, 2**53 + 1, 2**63 - 1, -2**63, 2**64 + 3, -(10**30) - 7, 0.1, -2.5e-300]
                blob = ''.join(chr(c) for c in range(0x20, 0x7f)) + '\\u00e9\\u2603\\u65e5\\U0001F600"\\\\\\n\\x00'
                blob = (blob * (256 * 1024 // len(blob) + 1))[:256 * 1024]
                args = [{'nested': [1, 2.5, None, True, {'deep': ['x', {}, [[[]]]]}],
                         'unicode': 'h\\u00e9llo \\u2713 \\u65e5\\u672c \\U0001F600'}, 'caf\\u00e9', big]
                kwargs = {'\\u00df': ['\\u00fc', {'n': -7}], 'blob': blob}
                echoed = app.send_task('demo.echo', args, kwargs).get(timeout=60)
                print('blob characters:', len(blob), flush=True)
                print('echo equal:', echoed == [args, kwargs], flush=True)
                if echoed != [args, kwargs]:
                    print('echo:', json.dumps(echoed, sort_keys=True)[:2000], flush=True)
                try:
                    app.send_task('demo.fail', ['boom \\u00e9 \\u2603']).get(timeout=60)
                    print('fail: no exception', flush=True)
                except Exception as e:
                    print('fail type:', type(e).__name__, flush=True)
                    print('fail message:', e.args[0] if len(e.args) == 1 else e.args, flush=True)
                """, pythonBroker(), backend());

        assertThat(out).contains("add: 5\n");
        assertThat(out).contains("blob characters: 262144\n");
        assertThat(out).contains("echo equal: True\n");
        assertThat(out).contains("fail type: IllegalStateException\n");
        assertThat(out).contains("fail message: boom \u00e9 \u2603\n");
    }

    @Test
    void pythonClientSeesItsUnknownTaskFailAsNotRegistered() throws Exception {
        CeleriacProcesses.Child worker = celeriacWorker();
        String out = runPython("unknown", """
                import sys
                from celery import Celery
                app = Celery(broker=sys.argv[1], backend=sys.argv[2])
                result = app.send_task('demo.no_such_task', (1, 2))
                print('id:', result.id, flush=True)
                try:
                    print('value:', result.get(timeout=60), flush=True)
                except Exception as e:
                    print('raised:', type(e).__module__, type(e).__name__, flush=True)
                    print('args:', e.args, flush=True)
                print('state:', result.state, flush=True)
                # the worker goes on
                print('add:', app.send_task('demo.add', (2, 3)).get(timeout=60), flush=True)
                """, pythonBroker(), backend());

        assertThat(out).contains("raised: celery.exceptions NotRegistered\n");
        assertThat(out).as("Celery's NotRegistered('demo.no_such_task')").contains("args: ('demo.no_such_task',)\n");
        assertThat(out).contains("state: FAILURE\n");
        assertThat(out).contains("add: 5\n");
        assertThat(worker.err()).contains("demo.no_such_task");
    }

    @Test
    void celeriacClientTaskRunsOnPythonWorker() throws Exception {
        pythonWorker();

        try (Celeriac app = Celeriac.open(
                Settings.of(Map.of(Settings.BROKER_URL, broker(), Settings.RESULT_BACKEND, backend())))) {
            Object sum = app.client().send("demo.add", List.of(2, 3), Map.of()).get(WAIT);
            assertThat(sum).isInstanceOf(Number.class);
            assertThat(((Number) sum).longValue()).isEqualTo(5L);

            List<Object> args = List.of(Map.of("k\u00e9y", List.of(1, "\u65e5\u672c \u2713")),
                    List.of(Long.MAX_VALUE, Long.MIN_VALUE, new BigInteger("-1000000000000000000000000000007")));
            Map<String, Object> kwargs = Map.of("\u00df", "\u00fc", "blob", "\u00e9\u2603\ud83d\ude00".repeat(20_000));
            Object echoed = app.client().send("demo.echo", args, kwargs).get(WAIT);
            assertThat(echoed).isEqualTo(List.of(args, kwargs));
        }
    }

    @Test
    void celeriacWorkerRunsPythonCountdownAndEtaTasksNoEarlierThanAsked() throws Exception {
        celeriacWorker();
        // date_done is naive UTC, as Celery writes it. The worker's timer works in milliseconds, hence 1 ms of slack
        // on date_done; the time .get() returns has none. No upper bound but the timeout.
        String out = runPython("eta", """
                import sys
                from datetime import datetime, timedelta, timezone
                from celery import Celery
                app = Celery(broker=sys.argv[1], backend=sys.argv[2])

                def check(name, result, not_before, expected):
                    value = result.get(timeout=60)
                    returned = datetime.now(timezone.utc)
                    done = result.date_done
                    done = done if done.tzinfo else done.replace(tzinfo=timezone.utc)
                    print(name, 'not before', not_before.isoformat(), 'done', done.isoformat(),
                          'returned', returned.isoformat(), flush=True)
                    print(name, 'value right:', value == expected, result.state, flush=True)
                    print(name, 'done after eta:', done >= not_before - timedelta(milliseconds=1), flush=True)
                    print(name, 'returned after eta:', returned >= not_before, flush=True)

                before = datetime.now(timezone.utc)
                by_countdown = app.send_task('demo.add', (1, 2), countdown=3)
                # An ETA in another offset than UTC: the worker must read the offset.
                eta = datetime.now(timezone(timedelta(hours=5, minutes=30))) + timedelta(seconds=3)
                by_eta = app.send_task('demo.add', (3, 4), eta=eta)
                now = app.send_task('demo.add', (5, 6))
                print('now value:', now.get(timeout=60), flush=True)
                check('countdown', by_countdown, before + timedelta(seconds=3), 3)
                check('eta', by_eta, eta, 7)
                """, pythonBroker(), backend());

        // The task sent without ETA did not wait behind the two that do.
        assertThat(out).contains("now value: 11\n");
        for (String name : List.of("countdown", "eta")) {
            assertThat(out).contains(name + " value right: True SUCCESS\n");
            assertThat(out).contains(name + " done after eta: True\n");
            assertThat(out).contains(name + " returned after eta: True\n");
        }
    }

    /**
     * A Python client's {@code expires} and {@code priority} reach a Celeriac worker as Celery's would: a task
     * expired on arrival, or by the time its countdown is up, ends REVOKED and the client's {@code get()} raises
     * {@code TaskRevokedError}; one that has not expired runs. The priority arrives as the message's property
     * (its effect on ordering is the broker's, and RabbitMQ has none without {@code x-max-priority}).
     */
    @Test
    void pythonClientExpiresAndPriorityAreHonouredByCeleriacWorker() throws Exception {
        celeriacWorker();
        String out = runPython("expires", """
                import sys
                from datetime import datetime, timedelta, timezone
                import celery.exceptions
                from celery import Celery
                app = Celery(broker=sys.argv[1], backend=sys.argv[2])
                past = app.send_task('demo.add', (1, 1), expires=datetime.now(timezone.utc) - timedelta(seconds=5))
                before_eta = app.send_task('demo.add', (2, 2), countdown=2, expires=1)
                in_time = app.send_task('demo.add', (3, 3), expires=60)
                for name, result in (('past', past), ('before eta', before_eta), ('in time', in_time)):
                    try:
                        print(name, 'value:', result.get(timeout=60), flush=True)
                    except celery.exceptions.TaskRevokedError as e:
                        print(name, 'raised TaskRevokedError', flush=True)
                    print(name, 'state:', result.state, flush=True)
                print('priority:', app.send_task('demo.priority', priority=7).get(timeout=60), flush=True)
                print('no priority:', app.send_task('demo.priority').get(timeout=60), flush=True)
                """, pythonBroker(), backend());

        assertThat(out).contains("past raised TaskRevokedError\n", "past state: REVOKED\n");
        assertThat(out).contains("before eta raised TaskRevokedError\n", "before eta state: REVOKED\n");
        assertThat(out).contains("in time value: 6\n", "in time state: SUCCESS\n");
        assertThat(out).contains("priority: 7\n", "no priority: 0\n");
    }

    /**
     * A Python client's {@code soft_time_limit} and {@code time_limit} bind a Celeriac worker as they bind a Celery
     * one: the soft limit interrupts a sleeping task, the hard limit abandons one that ignores interrupts, and the
     * client gets billiard's exceptions with the arguments Celery gives them; the worker goes on.
     */
    @Test
    void pythonClientTimeLimitsStopTasksOnCeleriacWorkerAsCeleryReportsThem() throws Exception {
        celeriacWorker();
        String out = runPython("limits", """
                import sys
                import celery.exceptions
                from celery import Celery
                app = Celery(broker=sys.argv[1], backend=sys.argv[2])
                soft = app.send_task('demo.sleep', (30,), soft_time_limit=1, time_limit=20)
                hard = app.send_task('demo.uninterruptible', (4,), time_limit=1)
                for name, result in (('soft', soft), ('hard', hard)):
                    try:
                        print(name, 'value:', result.get(timeout=60), flush=True)
                    except Exception as e:
                        print(name, 'raised:', type(e).__module__, type(e).__name__, flush=True)
                        print(name, 'args:', e.args, flush=True)
                        print(name, "is celery's:", isinstance(e, (celery.exceptions.SoftTimeLimitExceeded,
                                                                    celery.exceptions.TimeLimitExceeded)), flush=True)
                    print(name, 'state:', result.state, flush=True)
                print('add:', app.send_task('demo.add', (2, 3)).get(timeout=60), flush=True)
                """, pythonBroker(), backend());

        assertThat(out).contains("soft raised: billiard.exceptions SoftTimeLimitExceeded\n", "soft args: ()\n",
                "soft is celery's: True\n", "soft state: FAILURE\n");
        assertThat(out).contains("hard raised: billiard.exceptions TimeLimitExceeded\n", "hard args: (1,)\n",
                "hard is celery's: True\n", "hard state: FAILURE\n");
        assertThat(out).contains("add: 5\n");
    }

    /** How many tasks each kind of client sends when both kinds of worker share a queue. */
    int sharedQueueTasksEach() {
        return sharedQueueTasksEach;
    }

    /**
     * Tasks on the one default queue, consumed at once by a Python worker and a Celeriac worker: half sent by a
     * Python client (results read there), half by a Celeriac client here. Each task id succeeds exactly once across
     * the two workers' logs, both workers take a share, and after both stop warm nothing is left on the queue or
     * unacked.
     */
    @Test
    void pythonAndCeleriacWorkersShareOneQueueRunningEachTaskOnce() throws Exception {
        int each = sharedQueueTasksEach();
        long addend = 1_000_000;
        PythonProcesses.Child pyWorker = pythonWorker();
        CeleriacProcesses.Child worker = celeriacWorker();

        Files.writeString(dir.resolve("many.py"), """
                import sys
                from celery import Celery
                app = Celery(broker=sys.argv[1], backend=sys.argv[2])
                n, addend = int(sys.argv[3]), int(sys.argv[4])
                sent = [(i, app.send_task('demo.add', (i, addend))) for i in range(n)]
                for _, r in sent:
                    print('id', r.id, flush=True)
                wrong = [(i, v) for i, v in ((i, r.get(timeout=60)) for i, r in sent) if v != i + addend]
                print('results:', len(sent), 'wrong:', wrong, flush=True)
                """, StandardCharsets.UTF_8);
        PythonProcesses.Child client = python.start(dir, "many", Map.of(), "many.py", pythonBroker(), backend(),
                Integer.toString(each), Long.toString(addend));

        List<String> ids = new ArrayList<>();
        try (Celeriac app = Celeriac.open(
                Settings.of(Map.of(Settings.BROKER_URL, broker(), Settings.RESULT_BACKEND, backend())))) {
            List<AsyncResult> sent = new ArrayList<>();
            for (int i = 0; i < each; i++) {
                sent.add(app.client().send("demo.add", List.of(-i, addend), Map.of()));
            }
            for (int i = 0; i < each; i++) {
                Object sum = sent.get(i).get(WAIT);
                assertThat(sum).as("demo.add(%d, %d)", -i, addend).isInstanceOf(Number.class);
                assertThat(((Number) sum).longValue()).as("demo.add(%d, %d)", -i, addend).isEqualTo(addend - i);
                ids.add(sent.get(i).id());
            }
        }
        int exit = client.awaitExit(Duration.ofSeconds(120));
        String out = client.output();
        assertThat(exit).as(out).isZero();
        assertThat(out).contains("results: " + each + " wrong: []\n");
        out.lines().filter(l -> l.startsWith("id ")).map(l -> l.substring(3)).forEach(ids::add);
        assertThat(ids).hasSize(2 * each).doesNotHaveDuplicates();

        // A result is stored before its worker logs it: wait for the logs to catch up, then stop both workers
        // warm (SIGTERM) so that nothing is left in flight and every log is complete.
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (succeeded(PYTHON_SUCCEEDED, pyWorker.output()).size()
                + succeeded(CELERIAC_SUCCEEDED, worker.err()).size() < ids.size()) {
            if (System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(100);
        }
        stopWarm(pyWorker.process(), "python worker");
        stopWarm(worker.process(), "celeriac worker");

        List<String> byPython = succeeded(PYTHON_SUCCEEDED, pyWorker.output());
        List<String> byCeleriac = succeeded(CELERIAC_SUCCEEDED, worker.err());
        System.out.printf("%s shared queue: python worker ran %d tasks, celeriac worker %d%n",
                getClass().getSimpleName(), byPython.size(), byCeleriac.size());
        List<String> all = new ArrayList<>(byPython);
        all.addAll(byCeleriac);
        assertThat(all).as("task ids succeeded across both workers' logs").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(byPython).as("tasks run by the Python worker").isNotEmpty();
        assertThat(byCeleriac).as("tasks run by the Celeriac worker").isNotEmpty();
        assertDefaultQueueDrained();
    }

    /** A periodic entry of a Celeriac beat goes out as a client sends it: a Celery worker runs it, each tick. */
    @Test
    void periodicTaskFromACeleriacBeatRunsOnACeleryWorker() throws Exception {
        PythonProcesses.Child pyWorker = pythonWorker();
        Path schedule = dir.resolve("beat.yaml");
        Files.writeString(schedule, """
                answer:
                  task: demo.add
                  schedule: 1
                  args: [20, 22]
                  options: {expires: 30}
                """, StandardCharsets.UTF_8);
        CeleriacProcesses.Child beat = celeriac.start(dir, "beat", "--broker", broker(), "--backend", backend(),
                "--schedule", schedule.toString(), "--store", "file:beat-store.json");

        long deadline = System.nanoTime() + WAIT.toNanos();
        Pattern ranBeat = Pattern.compile("Task demo\\.add\\[([0-9a-f-]{36})\\] succeeded in [0-9.e-]+s: 42");
        while (succeeded(ranBeat, pyWorker.output()).size() < 2 && System.nanoTime() < deadline) {
            assertThat(beat.process().isAlive()).as(beat.err()).isTrue();
            Thread.sleep(100);
        }
        stopWarm(beat.process(), "celeriac beat");

        List<String> ran = succeeded(ranBeat, pyWorker.output());
        assertThat(ran).as("ticks the Celery worker ran:%n%s", pyWorker.output()).hasSizeGreaterThanOrEqualTo(2);
        assertThat(beat.err()).contains("Sending due task answer (demo.add) for ", ran.get(0));
    }

    /** Starts {@code celeriac worker} on the test's broker and backend and waits until it consumes. */
    CeleriacProcesses.Child celeriacWorker() throws InterruptedException {
        CeleriacProcesses.Child worker = celeriac.start(dir, "worker", "--broker", broker(), "--backend", backend(),
                "-c", "2");
        worker.awaitOutput(CELERIAC_READY);
        return worker;
    }

    /** Starts a Celery worker (solo pool, INFO log) on the Python twins of the demo tasks; waits until ready. */
    PythonProcesses.Child pythonWorker() throws IOException, InterruptedException {
        Files.writeString(dir.resolve("pydemo.py"), """
                import os
                from celery import Celery
                app = Celery('pydemo', broker=os.environ['PYDEMO_BROKER'], backend=os.environ['PYDEMO_BACKEND'])

                @app.task(name='demo.add')
                def add(x, y):
                    return x + y

                @app.task(name='demo.echo')
                def echo(*args, **kwargs):
                    return [list(args), kwargs]
                """, StandardCharsets.UTF_8);
        PythonProcesses.Child worker = python.start(dir, "pyworker",
                Map.of("PYDEMO_BROKER", pythonBroker(), "PYDEMO_BACKEND", backend()), "-m", "celery", "-A", "pydemo",
                "worker", "-P", "solo", "-c", "1", "--without-gossip", "--without-mingle", "--without-heartbeat",
                "-l", "info");
        worker.awaitOutput(" ready.");
        return worker;
    }

    /** Runs a Python script to its end (two minutes at most), asserts it exits with 0, returns its output. */
    String runPython(String name, String script, String... args) throws IOException, InterruptedException {
        Files.writeString(dir.resolve(name + ".py"), script, StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of(name + ".py"));
        command.addAll(List.of(args));
        PythonProcesses.Child child = python.start(dir, name, Map.of(), command.toArray(String[]::new));
        int exit = child.awaitExit(Duration.ofSeconds(120));
        String out = child.output();
        assertThat(exit).as(out).isZero();
        return out;
    }

    /** The rest of the first line of {@code out} that starts with {@code prefix}. */
    static String line(String out, String prefix) {
        return out.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst()
                .orElseThrow(() -> new AssertionError("no line '" + prefix + "...' in:\n" + out));
    }

    private static List<String> succeeded(Pattern pattern, String log) {
        List<String> ids = new ArrayList<>();
        Matcher m = pattern.matcher(log);
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    /** SIGTERM, then waits for the warm shutdown to end. */
    private static void stopWarm(Process process, String name) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new AssertionError(name + " did not stop within " + WAIT + " of SIGTERM");
        }
    }
}
