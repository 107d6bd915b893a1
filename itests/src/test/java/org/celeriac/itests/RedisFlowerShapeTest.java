package org.celeriac.itests;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@link FlowerShapeContract} on Redis: broker db 13, result backend db 14, flushed before the class. Redis
 * comes from {@code CELERIAC_TEST_REDIS_URL} (set by run-tests) or, without it, is started here. Skipped when Celery
 * or Flower's Python modules are not installed, except under CI ({@code CI=true}), where that fails.
 */
class RedisFlowerShapeTest extends FlowerShapeContract {

    @RegisterExtension
    static final TestRedis REDIS = new TestRedis();

    @Override
    void require() throws InterruptedException {
        PythonProcesses.requireModules("celery", "redis");
    }

    @Override
    RemoteWorkers.Urls urls() {
        return new RemoteWorkers.Urls(REDIS.url(13), REDIS.url(13), REDIS.url(14));
    }

    @Override
    void clear() {
        REDIS.flush(13, 14);
    }

    @Override
    boolean flowerListsQueueLengths() {
        return true;
    }
}
