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

import org.celeriac.app.Celeriac;
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
 * a Python client gets results from a Celeriac worker, and a Celeriac client gets results from a Python worker.
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
