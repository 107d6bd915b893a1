package org.celeriac.itests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;
import java.util.stream.Stream;


/**
 * PostgreSQL servers of a test's own, booted through {@code .ci/postgres.sh} (as run-tests boots the shared one) on a
 * loopback port of their own with their data in a directory of their own, so that one can be stopped and started again
 * keeping its tables; through {@link TestServers}, which stops and removes them after each test.
 *
 * <p>Ports: the first free one of {@code CELERIAC_TEST_PG_PORTS} ({@code FROM-TO}), else one the system picks.
 */
final class PostgresServers {
    private static final Path SCRIPT = Path.of(System.getProperty("celeriac.postgres.script", "../.ci/postgres.sh"));

    private PostgresServers() {
    }

    /**
     * Starts a server with its data in a directory of its own under the system's temporary directory (a JUnit
     * temporary directory is private to its owner, and the server runs as the postgres user), on a free port none
     * of {@code taken}.
     */
    static Server start(String serverOptions, IntPredicate taken) throws IOException, InterruptedException {
        Server s = new Server(Files.createTempDirectory("celeriac-pg-"),
                LoopbackPorts.free("CELERIAC_TEST_PG_PORTS", 1, taken), serverOptions);
        s.start();
        return s;
    }

    /** One server: its port and directory stay the same across restarts. */
    static final class Server implements TestServer {
        private final Path dir;
        private final int port;
        private final String serverOptions;
        private String url;

        private Server(Path dir, int port, String serverOptions) {
            this.dir = dir;
            this.port = port;
            this.serverOptions = serverOptions;
        }

        @Override
        public int port() {
            return port;
        }

        /** {@code jdbc:postgresql://127.0.0.1:PORT/celeriac?user=celeriac}. */
        String url() {
            return url;
        }

        /** Starts the server (again), on the same port and directory; returns once it accepts connections. */
        @Override
        public void start() throws IOException, InterruptedException {
            url = script(serverOptions, "start", dir.toString(), Integer.toString(port)).strip();
        }

        /** A fast shutdown: sessions are ended, what was committed is kept. */
        @Override
        public void stop() throws IOException, InterruptedException {
            script("", "stop", dir.toString());
        }

        /** A fast shutdown too: killing the postmaster would leave its shared memory for the next start. */
        @Override
        public void kill() throws IOException, InterruptedException {
            stop();
        }

        @Override
        public void remove() throws IOException {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }

        @Override
        public void printLog() {
            try {
                Path log = dir.resolve("server.log");
                System.out.printf("%n===== postgres 127.0.0.1:%d =====%n%s", port,
                        Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static String script(String serverOptions, String... args) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
            command.addAll(List.of(args));
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
            builder.environment().put("CELERIAC_PG_SERVER_OPTIONS", serverOptions);
            Process p = builder.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(CeleriacProcesses.WAIT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new AssertionError(".ci/postgres.sh " + String.join(" ", args) + " failed: " + out);
            }
            return out;
        }
    }
}
