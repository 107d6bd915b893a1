package org.celeriac.backend.redis;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import redis.clients.jedis.Jedis;

/**
 * The Redis the tests use: {@code CELERIAC_TEST_REDIS_URL} when set (run-tests starts one), else a
 * {@code /usr/bin/redis-server} of our own on a free loopback port, without persistence.
 */
final class RedisTestServer {

    private static Process process;
    private static Path dir;
    private static String url;

    private RedisTestServer() {
    }

    static synchronized String url() throws Exception {
        if (url != null) {
            return url;
        }
        String env = System.getenv("CELERIAC_TEST_REDIS_URL");
        if (env != null && !env.isBlank()) {
            url = env;
            return url;
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        dir = Files.createTempDirectory("celeriac-redis-test");
        process = new ProcessBuilder("/usr/bin/redis-server", "--port", Integer.toString(port),
                "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString())
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
                    throw new IOException("redis-server did not start on port " + port + ": "
                            + Files.readString(dir.resolve("redis.log")), e);
                }
                Thread.sleep(50);
            }
        }
        url = "redis://127.0.0.1:" + port + "/0";
        return url;
    }

    static synchronized void stop() throws Exception {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            process = null;
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        url = null;
    }
}
