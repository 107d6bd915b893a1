package org.celeriac.itests;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@link CanvasInteropContract} on one Redis: broker db 0, results db 1, both flushed before each test. */
class RedisCanvasInteropTest extends CanvasInteropContract {

    @RegisterExtension
    static final TestRedis REDIS = new TestRedis();

    @BeforeAll
    static void celery() throws InterruptedException {
        PythonProcesses.requireModules("celery", "redis");
    }

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
}
