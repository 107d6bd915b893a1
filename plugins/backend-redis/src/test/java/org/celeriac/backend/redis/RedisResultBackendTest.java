package org.celeriac.backend.redis;

import java.util.Map;

import org.celeriac.redis.RedisTestServer;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.tck.ResultBackendContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The result backend contract on a real Redis (see {@link RedisTestServer}). */
class RedisResultBackendTest extends ResultBackendContract {

    private static final RedisResultBackendFactory FACTORY = new RedisResultBackendFactory();

    @RegisterExtension
    static final RedisTestServer REDIS = new RedisTestServer();

    @Override
    protected ResultBackend openBackend() {
        return FACTORY.open(REDIS.url(), Map.of());
    }
}
