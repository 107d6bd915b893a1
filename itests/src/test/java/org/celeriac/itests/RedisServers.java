package org.celeriac.itests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntPredicate;

import redis.clients.jedis.Jedis;

/**
 * Dedicated {@code redis-server} processes for one test, each on its own loopback port with its own directory,
 * which can be stopped (SIGTERM: it saves), killed (SIGKILL) and started again on the same port and directory.
 * A persistent server writes an append-only file synced on every write, so that neither way of going down loses
 * an acknowledged write. Started through {@link TestServers}, which kills them after each test.
 *
 * <p>Ports: the first free one of {@code CELERIAC_TEST_REDIS_PORTS} ({@code FROM-TO}, for machines where test runs
 * share a port plan), else one the system picks.
 */
final class RedisServers {
    static final String REDIS_SERVER = "/usr/bin/redis-server";
    private static final Duration WAIT = CeleriacProcesses.WAIT;

    private RedisServers() {
    }

    /** Starts a server keeping its data in {@code dir}, on a free port none of {@code taken}; waits until it answers. */
    static Server start(Path dir, boolean persistent, IntPredicate taken) throws IOException, InterruptedException {
        return start(dir, persistent, null, taken);
    }

    /**
     * The same, wanting {@code password} ({@code --requirepass}, and an ACL user {@code celeriac} with the same
     * password); null for none.
     */
    static Server start(Path dir, boolean persistent, String password, IntPredicate taken)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Server s = new Server(dir, LoopbackPorts.free("CELERIAC_TEST_REDIS_PORTS", 1, taken), persistent, password);
        s.start();
        return s;
    }

    /** One server: its port and directory stay the same across restarts. */
    static final class Server implements TestServer {
        private final Path dir;
        private final int port;
        private final boolean persistent;
        private final String password;
        private Process process;

        private Server(Path dir, int port, boolean persistent, String password) {
            this.dir = dir;
            this.port = port;
            this.persistent = persistent;
            this.password = password;
        }

        @Override
        public int port() {
            return port;
        }

        /** {@code redis://127.0.0.1:PORT/DB}. */
        String url(int db) {
            return "redis://127.0.0.1:" + port + "/" + db;
        }

        Jedis client() {
            Jedis j = new Jedis("127.0.0.1", port);
            if (password != null) {
                j.auth(password);
            }
            return j;
        }

        boolean isRunning() {
            return process != null && process.isAlive();
        }

        /** Starts the server (again), on the same port and directory; waits until it answers (data loaded). */
        @Override
        public void start() throws IOException, InterruptedException {
            if (isRunning()) {
                throw new IllegalStateException("redis-server on " + port + " already runs");
            }
            List<String> command = new ArrayList<>(List.of(REDIS_SERVER, "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--dir", dir.toAbsolutePath().toString(), "--daemonize", "no",
                    "--logfile", "redis.log", "--save", ""));
            if (password != null) {
                command.addAll(List.of("--requirepass", password,
                        "--user", "celeriac", "on", ">" + password, "~*", "&*", "+@all"));
            }
            if (persistent) {
                command.addAll(List.of("--appendonly", "yes", "--appendfsync", "always"));
            } else {
                command.addAll(List.of("--appendonly", "no"));
            }
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("redis.out").toFile())).start();
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                try (Jedis j = client()) {
                    if ("PONG".equals(j.ping())) { // LOADING while it reads its append-only file
                        return;
                    }
                } catch (RuntimeException e) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        printLog();
                        throw new AssertionError("redis-server on 127.0.0.1:" + port + " did not answer", e);
                    }
                }
                Thread.sleep(20);
            }
        }

        /** SIGTERM: the server saves and exits; waits for that. */
        @Override
        public void stop() throws InterruptedException {
            if (isRunning()) {
                process.destroy();
                if (!process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    throw new AssertionError("redis-server on " + port + " did not stop within " + WAIT);
                }
            }
        }

        /** SIGKILL: gone at once, saving nothing beyond what it already wrote. */
        @Override
        public void kill() throws InterruptedException {
            if (process != null) {
                process.destroyForcibly();
                process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
            }
        }

        @Override
        public void printLog() {
            try {
                Path log = dir.resolve("redis.log");
                System.out.printf("%n===== redis-server 127.0.0.1:%d (%s) =====%n%s", port,
                        isRunning() ? "running" : "stopped",
                        Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "(no log)\n");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
