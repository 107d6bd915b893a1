package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.Jedis;

/**
 * Real Python Celery (Debian's python3-celery, importable by {@code /usr/bin/python3}) and Celeriac on one Redis:
 * a Python client gets results from a Celeriac worker (values, megabyte unicode payloads, failures, countdown, ETA
 * and expiry), a Celeriac client gets results from a Python worker, and both kinds of worker share one queue.
 * Broker on db 0, results on db 1, both flushed before each test. Redis comes from {@code CELERIAC_TEST_REDIS_URL}
 * (set by run-tests) or, without it, is started here. Skipped when Celery is not installed, except under CI
 * ({@code CI=true}), where that fails.
 */
class PythonCeleryInteropTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final String REDIS_SERVER = "/usr/bin/redis-server";
    /** The Celeriac worker banner's last line: the worker consumes. */
    private static final String CELERIAC_READY = "Stop with Ctrl-C";
    private static final Duration WAIT = CeleriacProcesses.WAIT;
    /** Celery's worker log line for a task that succeeded: {@code Task demo.add[ID] succeeded in 0.001s: 3}. */
    private static final Pattern PYTHON_SUCCEEDED =
            Pattern.compile("Task demo\\.add\\[([0-9a-f-]{36})\\] succeeded in [0-9.e-]+s: ");
    /** Celeriac's: {@code Task demo.add[ID] succeeded in 1 ms}. */
    private static final Pattern CELERIAC_SUCCEEDED =
            Pattern.compile("Task demo\\.add\\[([0-9a-f-]{36})\\] succeeded in \\d+ ms");

    private static Process ownRedis;
    private static String host;
    private static int port;

    @RegisterExtension
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @RegisterExtension
    final PythonProcesses python = new PythonProcesses();

    @TempDir
    Path dir;

    @BeforeAll
    static void celeryAndRedis() throws Exception {
        boolean ci = "true".equals(System.getenv("CI"));
        ProcessBuilder probe = new ProcessBuilder(PYTHON, "-c", "import celery, redis").redirectErrorStream(true);
        String why = null;
        try {
            Process p = probe.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
                why = PYTHON + " cannot import celery, redis (apt-get install python3-celery python3-redis):\n" + out;
            }
        } catch (IOException e) {
            why = "cannot run " + PYTHON + ": " + e;
        }
        if (why != null) {
            if (ci) {
                fail(why);
            }
            assumeTrue(false, why);
        }

        String url = System.getenv("CELERIAC_TEST_REDIS_URL");
        if (url != null && !url.isBlank()) {
            URI uri = URI.create(url.strip());
            host = uri.getHost();
            port = uri.getPort() > 0 ? uri.getPort() : 6379;
        } else {
            if (!Files.isExecutable(Path.of(REDIS_SERVER))) {
                String msg = "no CELERIAC_TEST_REDIS_URL and no " + REDIS_SERVER;
                if (ci) {
                    fail(msg);
                }
                assumeTrue(false, msg);
            }
            host = "127.0.0.1";
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            ownRedis = new ProcessBuilder(REDIS_SERVER, "--port", Integer.toString(port), "--bind", host, "--save", "",
                    "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                try (Jedis j = new Jedis(host, port)) {
                    if ("PONG".equals(j.ping())) {
                        break;
                    }
                } catch (RuntimeException e) {
                    if (!ownRedis.isAlive() || System.nanoTime() > deadline) {
                        throw new AssertionError("redis-server on " + host + ":" + port + " did not answer", e);
                    }
                    Thread.sleep(50);
                }
            }
        }
    }

    @AfterAll
    static void stopRedis() throws InterruptedException {
        if (ownRedis != null) {
            ownRedis.destroy();
            if (!ownRedis.waitFor(10, TimeUnit.SECONDS)) {
                ownRedis.destroyForcibly();
            }
            ownRedis = null;
        }
    }

    @BeforeEach
    void flush() {
        try (Jedis j = new Jedis(host, port)) {
            j.select(0);
            j.flushDB();
            j.select(1);
            j.flushDB();
        }
    }

    private static String broker() {
        return "redis://" + host + ":" + port + "/0";
    }

    private static String backend() {
        return "redis://" + host + ":" + port + "/1";
    }

    @Test
    void pythonClientGetsResultFromCeleriacWorker() throws Exception {
        celeriac.start(dir, "worker", "--broker", broker(), "--backend", backend(), "-c", "2")
                .awaitOutput(CELERIAC_READY);
        Files.writeString(dir.resolve("client.py"), """
                import json, sys
                from celery import Celery
                app = Celery(broker=sys.argv[1], backend=sys.argv[2])
                print('add:', app.send_task('demo.add', (2, 3)).get(timeout=60), flush=True)
                args = [{'nested': [1, 2.5, None, True, {'deep': ['x', {}]}], 'unicode': 'h\\u00e9llo \\u2713 \\u65e5\\u672c \\U0001F600'}, 'caf\\u00e9']
                kwargs = {'\\u00df': ['\\u00fc', {'n': -7}]}
                echoed = app.send_task('demo.echo', args, kwargs).get(timeout=60)
                print('echo equal:', echoed == [args, kwargs], flush=True)
                print('echo:', json.dumps(echoed, sort_keys=True), flush=True)
                try:
                    app.send_task('demo.fail', ['boom \\u00e9 \\u2603']).get(timeout=60)
                    print('fail: no exception', flush=True)
                except Exception as e:
                    print('fail type:', type(e).__name__, flush=True)
                    print('fail message:', e.args[0] if len(e.args) == 1 else e.args, flush=True)
                """, StandardCharsets.UTF_8);

        PythonProcesses.Child client = python.start(dir, "client", "client.py", broker(), backend());
        int exit = client.awaitExit(Duration.ofSeconds(200));

        String out = client.output();
        assertThat(exit).as(out).isZero();
        assertThat(out).contains("add: 5\n");
        assertThat(out).contains("echo equal: True\n");
        assertThat(out).contains("fail type: IllegalStateException\n");
        assertThat(out).contains("fail message: boom \u00e9 \u2603\n");
    }

    @Test
    void celeriacClientTaskRunsOnPythonWorker() throws Exception {
        pythonWorker();

        try (Celeriac app = Celeriac.open(
                Settings.of(Map.of(Settings.BROKER_URL, broker(), Settings.RESULT_BACKEND, backend())))) {
            Object sum = app.client().send("demo.add", List.of(2, 3), Map.of()).get(WAIT);
            assertThat(sum).isInstanceOf(Number.class);
            assertThat(((Number) sum).longValue()).isEqualTo(5L);

            List<Object> args = List.of(Map.of("k\u00e9y", List.of(1, "\u65e5\u672c \u2713")));
            Map<String, Object> kwargs = Map.of("\u00df", "\u00fc");
            Object echoed = app.client().send("demo.echo", args, kwargs).get(WAIT);
            assertThat(echoed).isEqualTo(List.of(args, kwargs));
        }
    }

    @Test
    void pythonClientGetsMegabyteUnicodeArgumentsAndKwargsBackUnchanged() throws Exception {
        celeriacWorker();
        // Characters by code point, so that nothing here depends on escaping: ASCII, the characters JSON must
        // escape (quote, backslash, controls, NUL), Latin-1, BMP (CJK, U+FFFD), a ZWJ emoji sequence and
        // non-BMP ones up to U+10FFFD, which JSON carries as surrogate pairs.
        String out = runPython("large", """
                import sys
                from celery import Celery
                app = Celery(broker=sys.argv[1], backend=sys.argv[2])

                alphabet = ''.join(map(chr, [0x61, 0x5a, 0x30, 0x20, 0x22, 0x5c, 0x2f, 0x08, 0x0c, 0x0a, 0x0d, 0x09,
                                             0x00, 0x1f, 0x7f, 0xe9, 0xdf, 0x2603, 0x65e5, 0x672c, 0xfffd, 0x1f600,
                                             0x1f468, 0x200d, 0x1f469, 0x10348, 0x10fffd]))

                def text(n, salt):
                    pieces, size, i = [], 0, salt
                    while size < n:
                        piece = alphabet[i % len(alphabet)] * (1 + i % 3)
                        pieces.append(piece)
                        size += len(piece)
                        i += 7
                    return ''.join(pieces)[:n]

                def nest(depth, leaf):
                    v = leaf
                    for d in range(depth):
                        v = {'level': d, 'child': [v, None, True, False, -d, d * 0.5]} if d % 2 else [d, v, {chr(0x1f511): d}]
                    return v

                MB = 1024 * 1024
                numbers = [0, -1, 2**31, -2**31 - 1, 2**53 + 1, 2**63 - 1, -2**63, 2**64 + 3,
                           0.1, -2.5e-300, 1.7976931348623157e308, 123456.789]
                args = [text(MB, 1), nest(40, {'numbers': numbers, 'empty': [{}, [], '']}),
                        [text(1000, s) for s in range(100)]]
                kwargs = {'blob': text(MB, 2), 'k' + chr(0xe9) + 'y ' + chr(0x1f600): nest(30, 'leaf ' + chr(0x1f600)),
                          '': None, 'many': {text(10, s): s for s in range(1000)}}
                print('characters:', len(args[0]), len(kwargs['blob']), flush=True)

                echoed = app.send_task('demo.echo', args, kwargs).get(timeout=60)
                print('echo equal:', echoed == [args, kwargs], flush=True)
                if echoed != [args, kwargs]:
                    back_args, back_kwargs = echoed
                    print('args equal:', [a == b for a, b in zip(back_args, args)], flush=True)
                    print('kwargs equal:', {repr(k): back_kwargs.get(k) == v for k, v in kwargs.items()}, flush=True)
                """, broker(), backend());

        assertThat(out).contains("characters: 1048576 1048576\n");
        assertThat(out).contains("echo equal: True\n");
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
                """, broker(), backend());

        // The task sent without ETA did not wait behind the two that do.
        assertThat(out).contains("now value: 11\n");
        for (String name : List.of("countdown", "eta")) {
            assertThat(out).contains(name + " value right: True SUCCESS\n");
            assertThat(out).contains(name + " done after eta: True\n");
            assertThat(out).contains(name + " returned after eta: True\n");
        }
    }

    @Test
    void pythonTaskSentAlreadyExpiredIsRevokedNotRun() throws Exception {
        CeleriacProcesses.Child worker = celeriacWorker();
        String out = runPython("expired", """
                import sys
                from datetime import datetime, timedelta, timezone
                from celery import Celery
                from celery.exceptions import TaskRevokedError
                app = Celery(broker=sys.argv[1], backend=sys.argv[2])

                result = app.send_task('demo.add', (5, 6), expires=datetime.now(timezone.utc) - timedelta(seconds=5))
                print('id:', result.id, flush=True)
                try:
                    print('value:', result.get(timeout=60), flush=True)
                except TaskRevokedError as e:
                    print('raised TaskRevokedError', flush=True)
                print('state:', result.state, flush=True)
                """, broker(), backend());

        assertThat(out).contains("raised TaskRevokedError\n");
        assertThat(out).contains("state: REVOKED\n");
        String id = line(out, "id: ");
        assertThat(worker.err()).contains("[" + id + "] expired").doesNotContain("[" + id + "] succeeded");
    }

    /**
     * Celery checks expiry again when an ETA comes (Request.revoked() before it executes), so a task whose
     * expiry falls before its countdown ends is revoked, never run. Celeriac's worker checks only on receipt.
     */
    @Test
    void pythonTaskExpiringBeforeItsCountdownIsRevokedNotRun() throws Exception {
        CeleriacProcesses.Child worker = celeriacWorker();
        String out = runPython("expires-first", """
                import sys
                from celery import Celery
                from celery.exceptions import TaskRevokedError
                app = Celery(broker=sys.argv[1], backend=sys.argv[2])

                result = app.send_task('demo.add', (7, 8), countdown=4, expires=1)
                print('id:', result.id, flush=True)
                try:
                    print('value:', result.get(timeout=60), flush=True)
                except TaskRevokedError as e:
                    print('raised TaskRevokedError', flush=True)
                print('state:', result.state, flush=True)
                """, broker(), backend());

        assertThat(out).contains("raised TaskRevokedError\n");
        assertThat(out).contains("state: REVOKED\n");
        assertThat(worker.err()).doesNotContain("[" + line(out, "id: ") + "] succeeded");
    }

    /**
     * 600 tasks on the one default queue, consumed at once by a Python worker and a Celeriac worker: 300 sent by
     * a Python client (results read there), 300 by a Celeriac client here. Each task id succeeds exactly once
     * across the two workers' logs, both workers take a share, and after both stop warm nothing is left on the
     * queue or unacked.
     */
    @Test
    void pythonAndCeleriacWorkersShareOneQueueRunningEachTaskOnce() throws Exception {
        int each = 300;
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
        PythonProcesses.Child client = python.start(dir, "many", "many.py", broker(), backend(),
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
        System.out.printf("shared queue: python worker ran %d tasks, celeriac worker %d%n", byPython.size(),
                byCeleriac.size());
        List<String> all = new ArrayList<>(byPython);
        all.addAll(byCeleriac);
        assertThat(all).as("task ids succeeded across both workers' logs").doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(byPython).as("tasks run by the Python worker").isNotEmpty();
        assertThat(byCeleriac).as("tasks run by the Celeriac worker").isNotEmpty();
        try (Jedis j = new Jedis(host, port)) {
            j.select(0);
            assertThat(j.llen("celery")).as("messages left on the queue").isZero();
            assertThat(j.hlen("unacked")).as("messages left unacked").isZero();
            assertThat(j.zcard("unacked_index")).as("unacked index entries left").isZero();
        }
    }

    /** Starts {@code celeriac worker} on the test's broker and backend and waits until it consumes. */
    private CeleriacProcesses.Child celeriacWorker() throws InterruptedException {
        CeleriacProcesses.Child worker = celeriac.start(dir, "worker", "--broker", broker(), "--backend", backend(),
                "-c", "2");
        worker.awaitOutput(CELERIAC_READY);
        return worker;
    }

    /** Starts a Celery worker (solo pool, INFO log) on the Python twins of the demo tasks; waits until ready. */
    private PythonProcesses.Child pythonWorker() throws IOException, InterruptedException {
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
        PythonProcesses.Child worker = python.start(dir, "pyworker", "-m", "celery", "-A", "pydemo", "worker", "-P",
                "solo", "-c", "1", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "info");
        worker.awaitOutput(" ready.");
        return worker;
    }

    /** Runs a Python script to its end (two minutes at most), asserts it exits with 0, returns its output. */
    private String runPython(String name, String script, String... args) throws IOException, InterruptedException {
        Files.writeString(dir.resolve(name + ".py"), script, StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of(name + ".py"));
        command.addAll(List.of(args));
        PythonProcesses.Child child = python.start(dir, name, command.toArray(String[]::new));
        int exit = child.awaitExit(Duration.ofSeconds(120));
        String out = child.output();
        assertThat(exit).as(out).isZero();
        return out;
    }

    /** The rest of the first line of {@code out} that starts with {@code prefix}. */
    private static String line(String out, String prefix) {
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

    /** Python children, output (stdout and stderr) in a file each; killed after each test, printed on failure. */
    static final class PythonProcesses implements AfterEachCallback {
        private final List<Child> started = new ArrayList<>();

        Child start(Path workDir, String name, String... args) {
            List<String> command = new ArrayList<>(List.of(PYTHON));
            command.addAll(List.of(args));
            Path log = workDir.resolve(name + ".log");
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(k -> k.startsWith("CELERY_") || k.startsWith("PYTHON"));
            env.put("PYTHONUNBUFFERED", "1");
            env.put("PYTHONIOENCODING", "utf-8");
            env.put("PYTHONPATH", workDir.toAbsolutePath().toString());
            env.put("PYDEMO_BROKER", broker());
            env.put("PYDEMO_BACKEND", backend());
            try {
                Child child = new Child(name, String.join(" ", command), builder.start(), log);
                started.add(child);
                return child;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + command, e);
            }
        }

        @Override
        public void afterEach(ExtensionContext context) throws InterruptedException {
            if (context.getExecutionException().isPresent()) {
                started.forEach(Child::print);
            }
            for (Child c : started) {
                c.process().descendants().forEach(ProcessHandle::destroyForcibly);
                c.process().destroyForcibly();
            }
            for (Child c : started) {
                c.process().waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
            started.clear();
        }

        record Child(String name, String command, Process process, Path log) {

            String output() {
                try {
                    return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            void awaitOutput(String text) throws InterruptedException {
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!output().contains(text)) {
                    if (!process.isAlive()) {
                        throw new AssertionError(name + " exited with " + process.exitValue() + " before printing '"
                                + text + "':\n" + output());
                    }
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError(name + " did not print '" + text + "' within " + WAIT);
                    }
                    Thread.sleep(50);
                }
            }

            int awaitExit(Duration timeout) throws InterruptedException {
                if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                    throw new AssertionError(name + " did not exit within " + timeout + ":\n" + output());
                }
                return process.exitValue();
            }

            void print() {
                System.out.printf("%n===== %s: %s (%s) =====%n%s", name, command,
                        process.isAlive() ? "running" : "exit " + process.exitValue(), output());
            }
        }
    }
}
