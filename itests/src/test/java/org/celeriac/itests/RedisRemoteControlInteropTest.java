package org.celeriac.itests;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@link RemoteControlInteropContract} on Redis: broker db 10, result backend db 11, flushed before the class.
 * Celery's broadcasts on Redis are PUBLISHed on channels named by the broker's db, so no worker of another db hears
 * them. Redis comes from {@code CELERIAC_TEST_REDIS_URL} (set by run-tests) or, without it, is started here. Skipped
 * when Celery is not installed, except under CI ({@code CI=true}), where that fails.
 */
class RedisRemoteControlInteropTest extends RemoteControlInteropContract {

    @RegisterExtension
    static final TestRedis REDIS = new TestRedis();

    @Override
    void require() throws InterruptedException {
        PythonProcesses.requireModules("celery", "redis");
    }

    @Override
    RemoteWorkers.Urls urls() {
        return new RemoteWorkers.Urls(REDIS.url(10), REDIS.url(10), REDIS.url(11));
    }

    @Override
    void clear() {
        REDIS.flush(10, 11);
    }
}
