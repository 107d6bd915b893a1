package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.celeriac.itests.CeleriacProcesses.Child;
import org.celeriac.itests.CeleriacProcesses.Finished;
import org.celeriac.spi.backend.TaskState;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * {@code celeriac container} as users run it: from the build's celeriac.jar, and from the installation
 * tarball with its service script. Task packages come from deploy/, settings from etc/org.celeriac.cfg.
 */
class ContainerProcessTest {
    /** The container banner's last line: every bundle started. */
    private static final String READY = "Stop with Ctrl-C";

    @RegisterExtension
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @TempDir
    Path dir;

    /** An installation's service to stop if a test leaves it running. */
    private Path startedService;

    @AfterEach
    void stopService() throws Exception {
        if (startedService != null) {
            script(startedService.resolve("bin/celeriac-service"), "stop");
        }
    }

    @Test
    void runsTasksSentFromAnotherProcessAndExitsZeroOnSigterm() throws Exception {
        Child container = celeriac.start(dir, "container");
        container.awaitOutput(READY);
        Path home = dir.resolve("celeriac-home");
        String database = "sql:file:" + home.resolve("data/celeriac-data/celeriac");
        assertThat(container.out()).contains("--broker '" + database + "'");

        Finished call = celeriac.run(dir, "call", "demo.add", "--args", "[2,3]", "--wait",
                "--broker", database, "--backend", database);

        assertThat(call.exitCode()).as(call.err()).isZero();
        assertThat(call.out()).isEqualTo("5" + System.lineSeparator());
        container.process().destroy(); // SIGTERM
        assertThat(container.awaitExit()).as(container.err()).isZero();
        assertThat(container.err()).contains("Container stopped");
    }

    /**
     * As a plain worker does: the first SIGINT stops warm, the second cold. The running late-ack task is
     * interrupted, nothing is stored for it, and the framework's stop gives its message back to the broker (the
     * embedded database ./celeriac-data that {@code start} runs on), where the next worker finds it.
     */
    @Test
    void aSecondSigintStopsColdAndAnotherWorkerRunsTheInterruptedLateAckTask() throws Exception {
        Path settings = dir.resolve("cold.properties");
        Files.writeString(settings, "task_acks_late = true\nworker_concurrency = 1\n", StandardCharsets.UTF_8);
        try (DirectClient client = DirectClient.open(dir)) {
            String marker = client.send("demo.add", 0, 0);
            String running = client.send("demo.sleep", 5);
            Child container = celeriac.start(dir, "start", "--config", settings.toString());
            container.awaitOutput(READY);
            // One thread, first in first out: when the marker is done, the sleep task runs.
            client.awaitAll(List.of(marker), TaskState.SUCCESS);

            signal(container, "INT");
            Thread.sleep(300);
            signal(container, "INT");

            assertThat(container.awaitExit()).as("exit code after a cold stop by SIGINT").isEqualTo(130);
            assertThat(container.err()).contains("cold shutdown").contains("Container stopped");
            assertThat(client.state(running)).as("interrupted and not acknowledged").isEqualTo(TaskState.PENDING);

            // Given back when the container's app closed, not after the visibility timeout (30 minutes).
            celeriac.start(dir, "worker", "-c", "1").awaitOutput(READY);
            client.awaitAll(List.of(running), TaskState.SUCCESS);
        }
    }

    /**
     * With beat_enabled in etc/org.celeriac.cfg the container runs a beat beside its worker: the entries of its
     * schedule file (a path relative to the home), which its own worker runs, and an entry added to the file while it
     * runs; then a warm stop.
     */
    @Test
    void runsTheBeatOfItsConfigurationAndReadsTheScheduleFileAgainWhenItChanges() throws Exception {
        Path home = dir.resolve("celeriac-home");
        Files.createDirectories(home.resolve("etc"));
        Path schedule = home.resolve("etc/beat-schedule.yaml");
        String add = """
                add-every-second:
                  task: demo.add
                  schedule: 1
                  args: [2, 3]
                """;
        Files.writeString(schedule, add, StandardCharsets.UTF_8);
        Files.writeString(home.resolve("etc/org.celeriac.cfg"), String.join("\n",
                "broker_url = sql:file:${celeriac.home}/data/celeriac-data/celeriac",
                "result_backend = sql:file:${celeriac.home}/data/celeriac-data/celeriac",
                "beat_enabled = true", "beat_schedule_file = etc/beat-schedule.yaml", "beat_max_loop_interval = 1",
                ""), StandardCharsets.UTF_8);

        Child container = celeriac.start(dir, "container");
        container.awaitOutput(READY);
        awaitLog(container, "Sending due task add-every-second \\(demo\\.add\\)", CeleriacProcesses.WAIT);
        awaitLog(container, "Task demo\\.add\\[[^\\]]+\\] succeeded", CeleriacProcesses.WAIT);
        assertThat(home.resolve("data/celeriac-data/beat-schedule.json")).as("the default store, in data/")
                .isRegularFile();

        Files.writeString(schedule, add + """
                echo-every-second:
                  task: demo.echo
                  schedule: 1
                  args: [hello]
                """, StandardCharsets.UTF_8);

        awaitLog(container, "Sending due task echo-every-second \\(demo\\.echo\\)", Duration.ofSeconds(10));
        awaitLog(container, "Task demo\\.echo\\[[^\\]]+\\] succeeded", CeleriacProcesses.WAIT);
        container.process().destroy(); // SIGTERM: warm
        assertThat(container.awaitExit()).as(container.err()).isZero();
        assertThat(container.err()).contains("Container stopped").doesNotContain("Beat cannot start");
    }

    /** Waits until the child's log (standard error) has a match of {@code regex}; fails if it exits first. */
    private static void awaitLog(Child child, String regex, Duration wait) throws InterruptedException {
        Pattern text = Pattern.compile(regex);
        long deadline = System.nanoTime() + wait.toNanos();
        while (!text.matcher(child.err()).find()) {
            assertThat(child.process().isAlive()).as("%s exited before logging '%s'", child.name(), text).isTrue();
            assertThat(System.nanoTime()).as("'%s' logged within %s", text, wait).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static void signal(Child child, String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(child.process().pid())).start();
        assertThat(kill.waitFor()).as("kill -%s", name).isZero();
    }

    /**
     * The container's own AMQP bundle resolves and starts, and once etc/org.celeriac.cfg names a RabbitMQ (the node
     * of CELERIAC_TEST_AMQP_URL) its worker runs tasks sent there from another process.
     */
    @Test
    void runsTasksOnRabbitMqOnceItsConfigurationNamesIt() throws Exception {
        String amqp = RabbitMqServers.environmentUrl();
        String queue = "itest.container";
        Child container = celeriac.start(dir, "container");
        container.awaitOutput(READY);
        assertThat(container.err()).containsPattern("org\\.celeriac\\.transport\\.amqp \\S+ ACTIVE")
                .doesNotContain("WARN BundleCheck");
        Path home = dir.resolve("celeriac-home");
        String database = "sql:file:" + home.resolve("data/celeriac-data/celeriac");

        // saved while it runs: the worker restarts on RabbitMQ, results stay in the embedded database
        Files.writeString(home.resolve("etc/org.celeriac.cfg"), String.join("\n",
                "broker_url = " + amqp, "result_backend = " + database, "task_default_queue = " + queue,
                "worker_queues = " + queue, ""), StandardCharsets.UTF_8);
        Finished call = celeriac.run(dir, "call", "demo.add", "--args", "[2,3]", "--wait", "-Q", queue,
                "--broker", amqp, "--backend", database);

        assertThat(call.exitCode()).as(call.err()).isZero();
        assertThat(call.out()).isEqualTo("5" + System.lineSeparator());
        RabbitMqServers.deleteQueue(amqp, queue);
    }

    /**
     * The container's own SQS and MongoDB bundles resolve and start, and once etc/org.celeriac.cfg names an SQS
     * (ElasticMQ) and a MongoDB (mongo-java-server), both in this JVM, its worker runs tasks sent there from another
     * process and stores their results in MongoDB.
     */
    @Test
    void runsTasksOnSqsWithResultsInMongoOnceItsConfigurationNamesThem() throws Exception {
        // the servers start while the container boots: each takes seconds
        Child container = celeriac.start(dir, "container");
        SQSRestServer sqs = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().start();
        MongoServer mongo = new MongoServer(new MemoryBackend());
        try {
            int sqsPort = sqs.waitUntilStarted().localAddress().getPort();
            // one worker thread: each single-document update applies atomically, as on a real mongod
            mongo.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1, 1);
            String broker = "sqs://test:test@127.0.0.1:" + sqsPort; // ElasticMQ takes any credentials
            String backend = "mongodb://127.0.0.1:" + mongo.getLocalAddress().getPort() + "/itest";
            String queue = "itest.container.sqs";
            container.awaitOutput(READY);
            assertThat(container.err()).containsPattern("org\\.celeriac\\.transport\\.sqs \\S+ ACTIVE")
                    .containsPattern("org\\.celeriac\\.backend\\.mongo \\S+ ACTIVE")
                    .doesNotContain("WARN BundleCheck");

            // saved while it runs: the worker restarts on SQS, with its results in MongoDB
            Files.writeString(dir.resolve("celeriac-home/etc/org.celeriac.cfg"), String.join("\n",
                    "broker_url = " + broker, "result_backend = " + backend, "task_default_queue = " + queue,
                    "worker_queues = " + queue, ""), StandardCharsets.UTF_8);
            Finished call = celeriac.run(dir, "call", "demo.add", "--args", "[2,3]", "--wait", "-Q", queue,
                    "--broker", broker, "--backend", backend);

            assertThat(call.exitCode()).as(call.err()).isZero();
            assertThat(call.out()).isEqualTo("5" + System.lineSeparator());
        } finally {
            // first, so that its log (printed if the test failed) does not go on about the servers going away
            container.process().destroyForcibly().waitFor();
            mongo.shutdownNow();
            sqs.stopAndWait();
        }
    }

    @Test
    void theInstalledTarballRunsAsAServiceThatTheCommandLineReaches() throws Exception {
        Path installation = unpackTarball();
        Path service = installation.resolve("bin/celeriac-service");
        Path cli = installation.resolve("bin/celeriac");

        Script start = script(service, "start");
        startedService = installation;
        assertThat(start.exitCode()).as(start.output()).isZero();
        assertThat(start.output()).contains("Celeriac started (pid ");
        assertThat(script(service, "status").exitCode()).isZero();

        Script call = script(cli, "call", "demo.add", "--args", "[2,3]", "--wait");
        assertThat(call.exitCode()).as(call.output()).isZero();
        assertThat(call.output()).contains("5" + System.lineSeparator());

        Script stop = script(service, "stop");
        startedService = null;
        assertThat(stop.exitCode()).as(stop.output()).isZero();
        assertThat(script(service, "status").exitCode()).as("not running").isEqualTo(3);
        assertThat(installation.resolve("data/celeriac.pid")).doesNotExist();
        assertThat(installation.resolve("data/celeriac-data/celeriac.mv.db")).isRegularFile();
        assertThat(Files.readString(installation.resolve("data/log/celeriac.log")))
                .contains("Task demo.add[").contains("Container stopped");
    }

    /** The tarball next to celeriac.jar, unpacked into the test's directory; its root. */
    private Path unpackTarball() throws Exception {
        Path target = Path.of(System.getProperty("celeriac.jar", "../distribution/target/celeriac.jar")).getParent();
        Path tarball;
        try (Stream<Path> files = Files.list(target)) {
            tarball = files.filter(f -> f.getFileName().toString().matches("celeriac-.*\\.tar\\.gz")).findFirst()
                    .orElseThrow(() -> new AssertionError("no celeriac-*.tar.gz in " + target + " (mvn package)"));
        }
        Script untar = run(List.of("tar", "xzf", tarball.toAbsolutePath().toString(), "-C", dir.toString()));
        assertThat(untar.exitCode()).as(untar.output()).isZero();
        try (Stream<Path> roots = Files.list(dir)) {
            return roots.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    /** What a script printed (standard output and error together) and returned. */
    record Script(int exitCode, String output) {
    }

    private Script script(Path script, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(script.toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    private Script run(List<String> command) throws IOException, InterruptedException {
        Path output = Files.createTempFile(dir, "script-", ".out");
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        // Settings come from the test alone; the scripts find java as users' shells do, or through JAVA_HOME.
        builder.environment().keySet().removeIf(k -> k.startsWith("CELERIAC_"));
        builder.environment().put("JAVA_HOME", Path.of(System.getProperty("java.home")).toString());
        Process process = builder.start();
        if (!process.waitFor(CeleriacProcesses.WAIT.toSeconds() * 2, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command + " did not finish; output:\n" + Files.readString(output));
        }
        return new Script(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }
}
