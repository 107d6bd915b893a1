package org.celeriac.redis;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import redis.clients.jedis.Jedis;

/**
 * The Redis a test class uses: {@code CELERIAC_TEST_REDIS_URL} when set (run-tests starts one), else a
 * {@code /usr/bin/redis-server} of our own on a free loopback port, without persistence. Register it on a static
 * field and read {@link #url()} from then on:
 *
 * <pre>{@code @RegisterExtension static final RedisTestServer REDIS = new RedisTestServer();}</pre>
 *
 * <p>Test classes running at the same time share one server; the last to finish stops it.
 */
public final class RedisTestServer implements BeforeAllCallback, AfterAllCallback {

    private static Process process;
    private static Path dir;
    private static String sharedUrl;
    private static int users;

    private volatile String url;

    /** {@code redis://host:port/db}; only after the test class started. */
    public String url() {
        String u = url;
        if (u == null) {
            throw new IllegalStateException("No Redis: register RedisTestServer on a static @RegisterExtension field");
        }
        return u;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        url = acquire();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        url = null;
        release();
    }

    private static synchronized String acquire() throws IOException, InterruptedException {
        users++;
        String env = System.getenv("CELERIAC_TEST_REDIS_URL");
        if (env != null && !env.isBlank()) {
            return env;
        }
        if (process != null) {
            return sharedUrl;
        }
        try {
            sharedUrl = startServer();
            return sharedUrl;
        } catch (IOException | InterruptedException | RuntimeException e) {
            users--;
            throw e;
        }
    }

    private static String startServer() throws IOException, InterruptedException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        dir = Files.createTempDirectory("celeriac-redis-test");
        process = new ProcessBuilder("/usr/bin/redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no",
                "--dir", dir.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            try (Jedis j = new Jedis("127.0.0.1", port)) {
                if ("PONG".equals(j.ping())) {
                    break;
                }
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    String log = Files.readString(dir.resolve("redis.log"));
                    stopServer();
                    throw new IOException("redis-server did not start on port " + port + ": " + log, e);
                }
                Thread.sleep(50);
            }
        }
        return "redis://127.0.0.1:" + port + "/0";
    }

    private static synchronized void release() throws IOException, InterruptedException {
        if (--users > 0) {
            return;
        }
        stopServer();
    }

    private static void stopServer() throws IOException, InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            process = null;
            sharedUrl = null;
        }
        if (dir != null) {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            dir = null;
        }
    }
}
