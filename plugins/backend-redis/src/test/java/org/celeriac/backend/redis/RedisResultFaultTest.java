package org.celeriac.backend.redis;

import org.celeriac.resultmeta.ResultMetaJson;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.celeriac.redis.CheckedConnections;
import org.celeriac.redis.RedisTestServer;
import org.celeriac.spi.backend.BackendException;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.tck.PartitionProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import redis.clients.jedis.Jedis;

/**
 * The backend behind a {@link PartitionProxy}: a subscriber connection that goes silent without a reset, and pooled
 * connections Redis closed while they sat idle.
 */
class RedisResultFaultTest {

    /** Generous for a slow machine; a subscriber that is stuck for good never makes it. */
    private static final Duration BOUND = Duration.ofSeconds(30);

    private PartitionProxy proxy;
    private RedisResultBackend proxied;
    private Jedis raw;

    @RegisterExtension
    static final RedisTestServer REDIS = new RedisTestServer();

    @BeforeEach
    void open() throws Exception {
        URI redis = URI.create(REDIS.url());
        proxy = PartitionProxy.start(redis.getHost(), redis.getPort());
        // a short socket timeout: a silent subscriber gives up after 1 s (its PING interval) + this
        proxied = (RedisResultBackend) new RedisResultBackendFactory()
                .open("redis://127.0.0.1:" + proxy.port() + redis.getPath() + "?socket_timeout=2", Map.of());
        raw = new Jedis(redis.getHost(), redis.getPort());
        if (redis.getPath().length() > 1) {
            raw.select(Integer.parseInt(redis.getPath().substring(1)));
        }
    }

    @AfterEach
    void close() {
        proxy.close();
        proxied.close();
        raw.close();
    }

    @Test
    void hearsPublishedResultsAgainAfterTheSubscriberConnectionGoesSilent() throws Exception {
        assertThat(awaitPublishedOnly(UUID.randomUUID().toString())).as("heard before the partition").isPresent();

        proxy.partition(); // the subscriber waits for messages, now on a silent connection
        Thread.sleep(1_500);
        proxy.heal();

        assertThat(awaitPublishedOnly(UUID.randomUUID().toString()))
                .as("heard within %s after the partition healed", BOUND).isPresent();
    }

    @Test
    void readsOnANewConnectionAfterRedisClosedTheIdleOnes() throws Exception {
        String id = UUID.randomUUID().toString();
        proxied.store(success(id), Duration.ofMinutes(5));
        proxy.dropAll(); // as a restarted Redis does
        Thread.sleep(CheckedConnections.CHECK_AFTER_IDLE.toMillis() + 200);

        assertThat(proxied.get(id)).map(TaskResult::result).contains(42);
    }

    /**
     * Awaits a result that is only PUBLISHed, never stored, so only a live subscription hears it; each wait short,
     * as a client retries. Empty when nothing was heard within {@link #BOUND}.
     */
    private Optional<TaskResult> awaitPublishedOnly(String id) throws InterruptedException {
        String json = ResultMetaJson.encode(success(id));
        Thread publisher = new Thread(() -> {
            URI redis = URI.create(REDIS.url());
            try (Jedis j = new Jedis(redis.getHost(), redis.getPort())) { // channels span databases
                while (!Thread.currentThread().isInterrupted()) {
                    j.publish(RedisResultBackend.key(id), json);
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                // done
            }
        }, "test-publisher");
        publisher.setDaemon(true);
        publisher.start();
        try {
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (System.nanoTime() < deadline) {
                try {
                    Optional<TaskResult> r = proxied.await(id, Duration.ofSeconds(3));
                    if (r.isPresent()) {
                        return r;
                    }
                } catch (BackendException e) {
                    // a read on a connection that went silent: try again, as a client would
                }
            }
            return Optional.empty();
        } finally {
            publisher.interrupt();
            publisher.join(5_000);
        }
    }

    private static TaskResult success(String id) {
        return new TaskResult(id, TaskState.SUCCESS, 42, null, List.of(), Instant.now(), Map.of());
    }
}
