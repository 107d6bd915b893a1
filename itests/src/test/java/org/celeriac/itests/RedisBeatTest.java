package org.celeriac.itests;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Beats on a real Redis: broker in db 0, results in db 1, each store of a test in a database of its own. */
class RedisBeatTest extends BeatProcessContract {
    private static final Map<String, Integer> STORE_DBS = Map.of("one", 2, "once", 3, "skip", 4);

    @RegisterExtension
    static final TestRedis REDIS = new TestRedis();

    @BeforeEach
    void flush() {
        REDIS.flush(0, 1, 2, 3, 4);
    }

    @Override
    List<String> connection(String store) {
        return List.of("--broker", REDIS.url(0), "--backend", REDIS.url(1), "--store", REDIS.url(STORE_DBS.get(store)));
    }
}
