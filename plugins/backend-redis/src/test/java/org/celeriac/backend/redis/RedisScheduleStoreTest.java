package org.celeriac.backend.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.UUID;

import org.celeriac.redis.RedisTestServer;
import org.celeriac.spi.beat.ScheduleStore;
import org.celeriac.spi.beat.ScheduleStoreFactory;
import org.celeriac.tck.ScheduleStoreContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import redis.clients.jedis.Jedis;

/**
 * The schedule store contract on a real Redis (see {@link RedisTestServer}), each test under a key prefix of its own,
 * and what the Redis store does beyond it.
 */
class RedisScheduleStoreTest extends ScheduleStoreContract {

    @RegisterExtension
    static final RedisTestServer REDIS = new RedisTestServer();

    private String prefix;

    @Override
    protected ScheduleStore openStore() {
        prefix = "celeriac.beat.test-" + UUID.randomUUID() + ".";
        return new RedisScheduleStoreFactory().open(REDIS.url(), Map.of("beat_key_prefix", prefix));
    }

    @Override
    protected ScheduleStore openSecondStore() {
        return new RedisScheduleStoreFactory().open(REDIS.url(), Map.of("beat_key_prefix", prefix));
    }

    private Jedis jedis() {
        URI uri = URI.create(REDIS.url());
        Jedis j = new Jedis(uri.getHost(), uri.getPort());
        j.select(Integer.parseInt(uri.getPath().substring(1)));
        return j;
    }

    @Test
    void isFoundByServiceLoaderForRedisUrls() {
        List<ScheduleStoreFactory> found = new ArrayList<>();
        ServiceLoader.load(ScheduleStoreFactory.class).forEach(found::add);

        assertThat(found).hasAtLeastOneElementOfType(RedisScheduleStoreFactory.class);
        assertThat(new RedisScheduleStoreFactory().schemes()).containsExactlyInAnyOrder("redis", "rediss");
    }

    @Test
    void keepsEverythingUnderItsPrefixWithTheLeaseExpiredByRedis() {
        store.recordRun("nightly", Instant.parse("2026-11-25T00:00:00.000001Z"));
        store.putEntry("add", "{\"task\": \"demo.add\"}");
        store.acquireLease("beat-a", Duration.ofSeconds(30));

        try (Jedis j = jedis()) {
            assertThat(j.hgetAll(prefix + "last_runs")).isEqualTo(Map.of("nightly", "1795564800000001"));
            assertThat(j.hgetAll(prefix + "entries")).isEqualTo(Map.of("add", "{\"task\": \"demo.add\"}"));
            assertThat(j.get(prefix + "lease")).isEqualTo("beat-a");
            assertThat(j.pttl(prefix + "lease")).isPositive().isLessThanOrEqualTo(30_000);
        }
    }

    @Test
    void scriptsAreLoadedAgainAfterAScriptFlush() {
        store.recordRun("nightly", Instant.parse("2026-11-25T00:00:00Z"));
        try (Jedis j = jedis()) {
            j.scriptFlush();
        }

        store.recordRun("nightly", Instant.parse("2026-11-26T00:00:00Z"));

        assertThat(store.lastRuns()).containsEntry("nightly", Instant.parse("2026-11-26T00:00:00Z"));
    }

    @Test
    void withoutAPrefixOptionKeysStartWithCeleriacBeat() {
        try (ScheduleStore plain = new RedisScheduleStoreFactory().open(REDIS.url(), Map.of()); Jedis j = jedis()) {
            plain.putEntry("default-prefix-" + prefix, "{}");

            assertThat(j.hexists("celeriac.beat.entries", "default-prefix-" + prefix)).isTrue();
            assertThat(plain.removeEntry("default-prefix-" + prefix)).isTrue();
        }
    }
}
