package org.celeriac.itests;

import java.util.Map;

import org.celeriac.config.Settings;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@link CanvasContract} on Redis: broker db 0, results db 1, both flushed before each test. Chords join in the
 * Redis backend's {@code RedisChordJoin}, as Celery's Redis backend does.
 */
class RedisCanvasTest extends CanvasContract {

    @RegisterExtension
    static final TestRedis REDIS = new TestRedis();

    @Override
    Map<String, String> freshConnection() {
        REDIS.flush(0, 1);
        return Map.of(Settings.BROKER_URL, REDIS.url(0), Settings.RESULT_BACKEND, REDIS.url(1));
    }
}
