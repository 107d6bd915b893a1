package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.celeriac.app.Celeriac;
import org.celeriac.client.SendOptions;
import org.celeriac.config.Settings;
import org.celeriac.spi.backend.TaskState;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Workers for the remote-control, events and Flower interop tests, on one broker and result backend, and the ways
 * the tests reach them: Celery's command line ({@code python3 -m celery -A rcapp ...}, the app a module written to
 * the working directory), Celeriac's ({@code celeriac inspect|control|events ...}), and a Celeriac client in the
 * test's JVM that sends tasks and reads their results.
 *
 * <p>The worker under test (the {@linkplain #subject subject}) is Celeriac's. Run with
 * {@code -Dceleriac.itests.subject=python} and it is Python Celery's instead (prefork pool, the Python twins of the
 * demo tasks): the reference each check was first proven on, so that a failure then is the test's own.
 */
final class RemoteWorkers implements AutoCloseable {
    static final Duration WAIT = CeleriacProcesses.WAIT;
    /** Celery's module name for the app of {@code celery -A}. */
    static final String APP = "rcapp";
    private static final ObjectMapper JSON = new ObjectMapper();
    /** {@code Worker jvm1@host ready.}, the first line of a Celeriac worker's banner. */
    private static final Pattern CELERIAC_READY = Pattern.compile("Worker (\\S+) ready\\.");
    /** {@code [2026-12-07 03:13:16,421: INFO/MainProcess] pyw@host ready.}, Celery's. */
    private static final Pattern PYTHON_READY = Pattern.compile("/MainProcess\\] (\\S+@\\S+) ready\\.");
    private static final AtomicInteger RUNS = new AtomicInteger();

    /** Which implementation a worker is. */
    enum Kind {
        CELERIAC, PYTHON;

        /** The kind under test: {@code -Dceleriac.itests.subject=python} for Python Celery, else Celeriac. */
        static Kind subject() {
            return "python".equalsIgnoreCase(System.getProperty("celeriac.itests.subject", "")) ? PYTHON : CELERIAC;
        }
    }

    /**
     * A broker and a result backend, each as both sides are told them.
     *
     * @param broker       the broker as Celeriac is told it
     * @param pythonBroker the broker as Celery (and Flower) are told it
     * @param backend      the result backend, the same URL for both
     */
    record Urls(String broker, String pythonBroker, String backend) {

        /** RabbitMQ, which Celeriac is told as {@code amqp://} and Celery as {@code pyamqp://}; results elsewhere. */
        static Urls onRabbitMq(String amqp, String backend) {
            return new Urls(amqp, amqp.replaceFirst("^amqp://", "pyamqp://"), backend);
        }
    }

    private final CeleriacProcesses celeriac;
    private final PythonProcesses python;
    private final Path dir;
    private final Urls urls;
    private Celeriac client;

    /**
     * @param celeriac where Celeriac workers and command lines run (so: when they are killed)
     * @param python   where Python workers and command lines run
     * @param dir      the working directory of them all; the app module {@value APP}.py is written there
     */
    RemoteWorkers(CeleriacProcesses celeriac, PythonProcesses python, Path dir, Urls urls) {
        this.celeriac = celeriac;
        this.python = python;
        this.dir = dir;
        this.urls = urls;
        writeApp(dir, urls);
    }

    Urls urls() {
        return urls;
    }

    /**
     * The app of {@code celery -A rcapp}: the broker and backend, and the Python twins of the demo tasks the tests
     * run, for Python workers.
     */
    private static void writeApp(Path dir, Urls urls) {
        try {
            Files.writeString(dir.resolve(APP + ".py"), """
                    import time
                    from celery import Celery
                    app = Celery('%s', broker=%s, backend=%s)

                    @app.task(name='demo.add')
                    def add(x, y):
                        return x + y

                    @app.task(name='demo.sleep')
                    def sleep(seconds):
                        time.sleep(seconds)
                        return seconds
                    """.formatted(APP, pythonString(urls.pythonBroker()), pythonString(urls.backend())),
                    StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pythonString(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    // ---------------------------------------------------------------------------------------------- workers

    /** Starts the worker under test as {@code NAME@%h} with -c 2 and {@code options}; see {@link #start}. */
    Worker subject(String name, String... options) throws InterruptedException {
        return start(Kind.subject(), name, options);
    }

    /**
     * Starts a worker named {@code NAME@%h} on the broker and backend, concurrency 2 and {@code options} (both kinds
     * take {@code -E}, {@code -Q QUEUE} and {@code -S FILE}); returns once it has said it is ready and answers a
     * ping by Celery's command line.
     */
    Worker start(Kind kind, String name, String... options) throws InterruptedException {
        Worker worker;
        if (kind == Kind.CELERIAC) {
            List<String> args = new ArrayList<>(List.of("worker", "--broker", urls.broker(), "--backend",
                    urls.backend(), "-n", name + "@%h", "-c", "2"));
            args.addAll(List.of(options));
            CeleriacProcesses.Child child = celeriac.start(dir, args.toArray(String[]::new));
            String node = awaitMatch(CELERIAC_READY, child::out, child.process(), child.name(), child::err);
            worker = new Worker(node, kind, child.process(), () -> child.out() + child.err());
        } else {
            List<String> args = new ArrayList<>(List.of("-m", "celery", "-A", APP, "worker", "-n", name + "@%h",
                    "-c", "2", "-l", "info", "--without-gossip", "--without-mingle"));
            args.addAll(List.of(options));
            PythonProcesses.Child child = python.start(dir, "worker-" + name + "-" + RUNS.incrementAndGet(),
                    Map.of(), args.toArray(String[]::new));
            String node = awaitMatch(PYTHON_READY, child::output, child.process(), child.name(), child::output);
            worker = new Worker(node, kind, child.process(), child::output);
        }
        awaitPong(worker.node());
        return worker;
    }

    /** Waits until Celery's {@code inspect ping} gets {@code node}'s pong. */
    void awaitPong(String node) throws InterruptedException {
        String[] last = {""};
        await(node + " to answer Celery's inspect ping", () -> {
            Run run = celery("inspect", "ping", "-d", node, "-t", "2", "--json");
            last[0] = run.output();
            return run.exitCode() == 0 && json(run.output()).has(node);
        }, () -> last[0]);
    }

    private static String awaitMatch(Pattern pattern, Supplier<String> text, Process process, String name,
                                     Supplier<String> diagnostics) throws InterruptedException {
        String[] found = {null};
        await(name + " to say " + pattern.pattern(), () -> {
            Matcher m = pattern.matcher(text.get());
            if (m.find()) {
                found[0] = m.group(1);
                return true;
            }
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited with " + process.exitValue() + ":\n" + diagnostics.get());
            }
            return false;
        }, diagnostics);
        return found[0];
    }

    /** A worker process and its node name. */
    record Worker(String node, Kind kind, Process process, Supplier<String> log) {

        /** SIGTERM (a warm shutdown for both kinds); waits for the exit. */
        void stopWarm() throws InterruptedException {
            process.destroy();
            assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as(node + " stops within " + WAIT + " of SIGTERM").isTrue();
        }

        /** Waits for the process to exit by itself; returns its exit code. */
        int awaitExit() throws InterruptedException {
            assertThat(process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS))
                    .as(node + " exits within " + WAIT + ":\n" + log.get()).isTrue();
            return process.exitValue();
        }

        /**
         * How many tasks the pool runs at once, by an {@code inspect stats} reply: its {@code pool.max-concurrency}.
         * Celery's prefork pool reports its configured limit there, and the processes it grew to in
         * {@code pool.processes}.
         */
        int poolSize(JsonNode stats) {
            JsonNode pool = stats.path("pool");
            return kind == Kind.PYTHON ? pool.path("processes").size() : pool.path("max-concurrency").asInt(-1);
        }
    }

    // -------------------------------------------------------------------------------------- command lines

    /** What a command line printed (stdout and stderr for Python's) and returned. */
    record Run(int exitCode, String output) {
    }

    /** Runs {@code python3 -m celery -A rcapp ARGS} to its end. */
    Run celery(String... args) throws InterruptedException {
        List<String> command = new ArrayList<>(List.of("-m", "celery", "-A", APP));
        command.addAll(List.of(args));
        PythonProcesses.Child child = python.start(dir, "celery-" + args[0] + "-" + RUNS.incrementAndGet(), Map.of(),
                command.toArray(String[]::new));
        int exit = child.awaitExit(WAIT);
        return new Run(exit, child.output());
    }

    /** Starts {@code python3 -m celery -A rcapp ARGS} (a long-running one, such as {@code events}); returns at once. */
    PythonProcesses.Child startCelery(String name, String... args) {
        List<String> command = new ArrayList<>(List.of("-m", "celery", "-A", APP));
        command.addAll(List.of(args));
        return python.start(dir, name + "-" + RUNS.incrementAndGet(), Map.of(), command.toArray(String[]::new));
    }

    /** {@code celery inspect COMMAND ARGS -d NODE -t 5 --json}: asserts it succeeds, returns {@code node}'s reply. */
    JsonNode inspect(String node, String command, String... args) throws InterruptedException {
        List<String> all = new ArrayList<>(List.of("inspect", command));
        all.addAll(List.of(args));
        all.addAll(List.of("-d", node, "-t", "5", "--json"));
        Run run = celery(all.toArray(String[]::new));
        assertThat(run.exitCode()).as("celery %s:%n%s", all, run.output()).isZero();
        JsonNode replies = json(run.output());
        assertThat(replies.has(node)).as("a reply from %s to celery %s: %s", node, all, run.output()).isTrue();
        return replies.get(node);
    }

    /**
     * {@code celery control COMMAND ARGS -d NODE -t 5 --json}: asserts it succeeds, returns {@code node}'s reply
     * (Celery prints a broadcast's replies as a list of {@code {node: reply}}).
     */
    JsonNode control(String node, String command, String... args) throws InterruptedException {
        List<String> all = new ArrayList<>(List.of("control", command));
        all.addAll(List.of(args));
        all.addAll(List.of("-d", node, "-t", "5", "--json"));
        Run run = celery(all.toArray(String[]::new));
        assertThat(run.exitCode()).as("celery %s:%n%s", all, run.output()).isZero();
        for (JsonNode reply : json(run.output())) {
            if (reply.has(node)) {
                return reply.get(node);
            }
        }
        throw new AssertionError("no reply from " + node + " to celery " + all + ": " + run.output());
    }

    /** Runs {@code celeriac ARGS --broker URL --backend URL} to its end. */
    CeleriacProcesses.Finished celeriac(String... args) throws InterruptedException {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--broker", urls.broker(), "--backend", urls.backend()));
        return celeriac.run(dir, all.toArray(String[]::new));
    }

    /** Starts {@code celeriac ARGS --broker URL --backend URL}; returns at once. */
    CeleriacProcesses.Child startCeleriac(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--broker", urls.broker(), "--backend", urls.backend()));
        return celeriac.start(dir, all.toArray(String[]::new));
    }

    /** The last line of {@code output} that is a JSON object or array (Celery may warn on lines before it). */
    static JsonNode json(String output) {
        Optional<String> line = output.lines().map(String::strip)
                .filter(l -> l.startsWith("{") || l.startsWith("[")).reduce((a, b) -> b);
        if (line.isEmpty()) {
            throw new AssertionError("no JSON in:\n" + output);
        }
        try {
            return JSON.readTree(line.get());
        } catch (JsonProcessingException e) {
            throw new AssertionError("not JSON: " + line.get(), e);
        }
    }

    // --------------------------------------------------------------------------------------------- tasks

    /** A Celeriac client of the broker and backend, opened on first use, closed with this. */
    Celeriac client() {
        if (client == null) {
            client = Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, urls.broker(),
                    Settings.RESULT_BACKEND, urls.backend())));
        }
        return client;
    }

    /** Sends a task; returns its id. */
    String send(String task, List<?> args, SendOptions options) {
        return client().client().send(task, args, Map.of(), options).id();
    }

    String send(String task, Object... args) {
        return send(task, List.of(args), SendOptions.defaults());
    }

    TaskState state(String id) {
        return client().client().result(id).state();
    }

    /** Waits until the backend has task {@code id} in {@code state}. */
    void awaitState(String id, TaskState state) throws InterruptedException {
        TaskState[] last = {null};
        await("task " + id + " to be " + state, () -> (last[0] = state(id)) == state, () -> "last state " + last[0]);
    }

    /** Waits until {@code node}'s {@code celery inspect active} lists task {@code id}; returns that request. */
    JsonNode awaitActive(String node, String id) throws InterruptedException {
        JsonNode[] last = {null};
        await(node + " to run task " + id, () -> {
            last[0] = inspect(node, "active");
            return ids(last[0]).contains(id);
        }, () -> String.valueOf(last[0]));
        for (JsonNode request : last[0]) {
            if (id.equals(request.path("id").asText())) {
                return request;
            }
        }
        throw new AssertionError("no request " + id + " in " + last[0]);
    }

    /** The {@code id} of each request in an {@code inspect active} reply. */
    static List<String> ids(JsonNode requests) {
        List<String> ids = new ArrayList<>();
        requests.forEach(r -> ids.add(r.path("id").asText()));
        return ids;
    }

    // --------------------------------------------------------------------------------------------- waits

    /** A condition that may throw what a test step throws. */
    interface Condition {
        boolean holds() throws Exception;
    }

    /** Waits until {@code done} holds; fails after {@link #WAIT}, saying {@code what} and {@code last}. */
    static void await(String what, Condition done, Supplier<String> last) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                if (done.holds()) {
                    return;
                }
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                throw new AssertionError("while waiting for " + what, e);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + WAIT + " waiting for " + what + "; last: " + last.get());
            }
            Thread.sleep(100);
        }
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        await(what, done::getAsBoolean, () -> "");
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
            client = null;
        }
    }
}
