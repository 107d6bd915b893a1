package org.celeriac.itests;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.stream.Stream;


import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * RabbitMQ for the tests. {@link #environmentUrl()} is the shared node of {@code CELERIAC_TEST_AMQP_URL} (set by
 * run-tests). {@link #start} boots a node of the test's own through {@code .ci/rabbitmq.sh} (as run-tests does), on
 * a loopback port of its own with its data in a given directory, so that it can be stopped and started again
 * keeping its durable queues and persistent messages; through {@link TestServers}, which stops it after each test.
 *
 * <p>Ports: a node takes three, AMQP's, the next for Erlang distribution and the one after for TLS: the first free three of
 * {@code CELERIAC_TEST_AMQP_PORTS} ({@code FROM-TO}, for machines where test runs share a port plan), else a pair
 * the system picks.
 */
final class RabbitMqServers {
    private static final Path SCRIPT = Path.of(System.getProperty("celeriac.rabbitmq.script", "../.ci/rabbitmq.sh"));
    private static final String SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    private RabbitMqServers() {
    }

    /**
     * {@code CELERIAC_TEST_AMQP_URL}; without it the calling test is skipped, except under CI ({@code CI=true}),
     * where that fails.
     */
    static String environmentUrl() {
        String url = System.getenv("CELERIAC_TEST_AMQP_URL");
        if (url == null || url.isBlank()) {
            skipOrFail("CELERIAC_TEST_AMQP_URL is not set (a RabbitMQ: .ci/rabbitmq.sh start DIR PORT)");
        }
        return url.strip();
    }

    /**
     * The messages ready on {@code queue} and its consumers, by a passive declare, which any client may make on any
     * node. Messages delivered but not yet acked are not counted: they come back to the ready ones when the
     * connection holding them closes.
     */
    static AMQP.Queue.DeclareOk passiveDeclare(String url, String queue) throws Exception {
        try (Connection c = connect(url); Channel ch = c.createChannel()) {
            return ch.queueDeclarePassive(queue);
        }
    }

    /** Deletes {@code queue} if it exists, so that a test leaves nothing behind on a shared node. */
    static void deleteQueue(String url, String queue) throws Exception {
        try (Connection c = connect(url); Channel ch = c.createChannel()) {
            ch.queueDelete(queue);
        }
    }

    /** A connection without automatic recovery, for a test's own look at the node. */
    /** Deletes these queues and the direct exchanges of their names, so that whoever comes next declares them. */
    static void deleteQueues(String url, String... queues) throws Exception {
        try (Connection c = connect(url); Channel ch = c.createChannel()) {
            for (String queue : queues) {
                ch.queueDelete(queue);
                ch.exchangeDelete(queue);
            }
        }
    }

    static Connection connect(String url) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        // kombu's "//" names the vhost "/", which the Java client wants escaped
        f.setUri(url.replaceFirst("(://[^/]*)//$", "$1/%2F"));
        f.setAutomaticRecoveryEnabled(false);
        return f.newConnection("celeriac-itests");
    }

    /** Boots a node keeping its data in {@code dir}, on free ports none of {@code taken}; returns once it answers. */
    static Server start(Path dir, IntPredicate taken) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(SERVER))) {
            skipOrFail("no " + SERVER + " (apt-get install rabbitmq-server)");
        }
        Files.createDirectories(dir);
        // AMQP's port and the next two, for Erlang distribution and AMQP over TLS
        Server s = new Server(dir, LoopbackPorts.free("CELERIAC_TEST_AMQP_PORTS", 3,
                p -> taken.test(p) || taken.test(p + 1) || taken.test(p + 2)));
        s.start();
        return s;
    }

    private static void skipOrFail(String why) {
        if ("true".equals(System.getenv("CI"))) {
            fail(why);
        }
        assumeTrue(false, why);
    }

    /** What rabbitmqctl list_queues tells of one queue. */
    record QueueCounts(long messages, long unacked) {
    }

    /** One node: its port and directory stay the same across restarts. */
    static final class Server implements TestServer {
        private final Path dir;
        private final int port;

        private Server(Path dir, int port) {
            this.dir = dir;
            this.port = port;
        }

        @Override
        public int port() {
            return port;
        }

        /** {@code amqp://guest:guest@127.0.0.1:PORT//}. */
        String url() {
            return "amqp://guest:guest@127.0.0.1:" + port + "//";
        }

        /** Boots the node (again), on the same port and directory; returns once it accepts connections. */
        @Override
        public void start() throws InterruptedException {
            script("start", dir.toString(), Integer.toString(port));
        }

        /** The script has no SIGKILL: stopped as {@link #stop()} does. */
        @Override
        public void kill() throws InterruptedException {
            stop();
        }

        /** Stops the node as rabbitmqctl stop does: it writes what it holds to disk first; waits for that. */
        @Override
        public void stop() throws InterruptedException {
            script("stop", dir.toString());
        }

        /** Every queue's ready and unacked messages, by name, from rabbitmqctl list_queues. */
        Map<String, QueueCounts> queues() throws InterruptedException {
            Map<String, QueueCounts> queues = new HashMap<>();
            String out = script("ctl", dir.toString(), "list_queues", "--no-table-headers", "name", "messages",
                    "messages_unacknowledged");
            for (String line : out.lines().filter(l -> !l.isBlank()).toList()) {
                String[] columns = line.split("\t");
                if (columns.length != 3) {
                    throw new AssertionError("unexpected line of rabbitmqctl list_queues: " + line);
                }
                queues.put(columns[0], new QueueCounts(Long.parseLong(columns[1].strip()),
                        Long.parseLong(columns[2].strip())));
            }
            return queues;
        }

        @Override
        public void printLog() {
            try (Stream<Path> logs = Files.exists(dir.resolve("log")) ? Files.list(dir.resolve("log")) : Stream.empty()) {
                StringBuilder text = new StringBuilder();
                for (Path log : logs.filter(f -> f.toString().endsWith(".log")).sorted().toList()) {
                    text.append("----- ").append(log.getFileName()).append('\n')
                            .append(Files.readString(log, StandardCharsets.UTF_8));
                }
                System.out.printf("%n===== rabbitmq 127.0.0.1:%d (%s) =====%n%s", port, dir, text);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Runs {@code .ci/rabbitmq.sh ARGS} to its end; returns its standard output, fails on a non-zero exit. */
        private String script(String... args) throws InterruptedException {
            List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toAbsolutePath().toString()));
            command.addAll(List.of(args));
            Path err = dir.resolve("script.err");
            try {
                Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()))
                        .start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(2 * CeleriacProcesses.WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError(command + " did not end within " + 2 * CeleriacProcesses.WAIT.toSeconds() + " s");
                }
                if (p.exitValue() != 0) {
                    throw new AssertionError(command + " exited with " + p.exitValue() + ":\n"
                            + Files.readString(err, StandardCharsets.UTF_8));
                }
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run " + command, e);
            }
        }
    }
}
