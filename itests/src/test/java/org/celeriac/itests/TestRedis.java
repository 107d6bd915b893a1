package org.celeriac.itests;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import redis.clients.jedis.Jedis;

/**
 * The Redis a test class shares across its tests (register it as a static field): the one of
 * {@code CELERIAC_TEST_REDIS_URL} (set by run-tests), or without it one started for the class, stopped after it.
 * Without either, the class is skipped, except under CI ({@code CI=true}), where that fails.
 */
final class TestRedis implements BeforeAllCallback, AfterAllCallback {
    private String host;
    private int port;
    private RedisServers.Server own;
    private Path ownDir;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        String url = System.getenv("CELERIAC_TEST_REDIS_URL");
        if (url != null && !url.isBlank()) {
            URI uri = URI.create(url.strip());
            host = uri.getHost();
            port = uri.getPort() > 0 ? uri.getPort() : 6379;
            return;
        }
        if (!Files.isExecutable(Path.of(RedisServers.REDIS_SERVER))) {
            String why = "no CELERIAC_TEST_REDIS_URL and no " + RedisServers.REDIS_SERVER;
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            assumeTrue(false, why);
        }
        ownDir = Files.createTempDirectory("celeriac-redis");
        own = RedisServers.start(ownDir, false, port -> false);
        host = "127.0.0.1";
        port = own.port();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException, IOException {
        if (own != null) {
            own.kill();
            own = null;
            try (Stream<Path> files = Files.walk(ownDir)) {
                for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
    }

    /** {@code redis://HOST:PORT/DB}. */
    String url(int db) {
        return "redis://" + host + ":" + port + "/" + db;
    }

    Jedis client(int db) {
        Jedis j = new Jedis(host, port);
        j.select(db);
        return j;
    }

    void flush(int... dbs) {
        for (int db : dbs) {
            try (Jedis j = client(db)) {
                j.flushDB();
            }
        }
    }
}
