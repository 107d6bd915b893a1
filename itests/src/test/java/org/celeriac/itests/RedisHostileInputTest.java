package org.celeriac.itests;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.celeriac.itests.HostileMessages.Sample;
import org.junit.jupiter.api.extension.RegisterExtension;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * The {@link HostileInputContract} on Redis (broker db 0, results db 1): each message LPUSHed as its list entry, a
 * kombu envelope written here or bytes that are none.
 */
class RedisHostileInputTest extends HostileInputContract {
    /** kombu's priority lists of a queue beyond step 0: {@code queue\x06\x16N}. */
    private static final String[] STEPS = {"", "\u0006\u00163", "\u0006\u00166", "\u0006\u00169"};

    @RegisterExtension
    static final TestRedis REDIS = new TestRedis();

    @Override
    String broker() {
        return REDIS.url(0);
    }

    @Override
    String backend() {
        return REDIS.url(1);
    }

    @Override
    void clear() {
        REDIS.flush(0, 1);
    }

    @Override
    boolean redis() {
        return true;
    }

    @Override
    void publish(HostileMessages messages, List<Sample> batch) {
        byte[] list = QUEUE.getBytes(StandardCharsets.UTF_8);
        try (Jedis j = REDIS.client(0)) {
            Pipeline p = j.pipelined();
            for (Sample s : batch) {
                p.lpush(list, s.raw() != null ? s.raw() : HostileMessages.json(messages.envelope(s.message())));
            }
            p.sync();
        }
    }

    @Override
    long waiting(String queue) {
        try (Jedis j = REDIS.client(0)) {
            long n = 0;
            for (String step : STEPS) {
                n += j.llen(queue + step);
            }
            return n;
        }
    }
}
