package org.celeriac.transport.redis;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;

import redis.clients.jedis.Jedis;

/**
 * The Redis the tests use: the one named by {@code CELERIAC_TEST_REDIS_URL}, else a {@code redis-server} child
 * process on a free loopback port, started by {@link #start()} and stopped by {@link #stop()}.
 */
final class RedisTestServer {

    private static final String ENV_URL = System.getenv("CELERIAC_TEST_REDIS_URL");
    private static Process process;
    private static String url;
    private static int users;

    private RedisTestServer() {
    }

    static synchronized String start() throws IOException, InterruptedException {
        users++;
        if (ENV_URL != null && !ENV_URL.isBlank()) {
            return ENV_URL;
        }
        if (process != null) {
            return url;
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        process = new ProcessBuilder("/usr/bin/redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no")
                .redirectErrorStream(true)
                .redirectOutput(new File("target/redis-server-" + port + ".log"))
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (Jedis j = new Jedis("127.0.0.1", port)) {
                j.ping();
                break;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    stopProcess();
                    throw new IllegalStateException("redis-server did not start on port " + port, e);
                }
                Thread.sleep(50);
            }
        }
        url = "redis://127.0.0.1:" + port + "/0";
        return url;
    }

    static synchronized void stop() throws InterruptedException {
        if (--users > 0) {
            return;
        }
        stopProcess();
    }

    private static void stopProcess() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            process = null;
            url = null;
        }
    }
}
