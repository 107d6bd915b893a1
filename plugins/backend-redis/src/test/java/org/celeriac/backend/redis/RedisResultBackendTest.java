package org.celeriac.backend.redis;

import java.util.Map;

import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.tck.ResultBackendContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The result backend contract on a real Redis (see {@link RedisTestServer}). */
class RedisResultBackendTest extends ResultBackendContract {

    private static final RedisResultBackendFactory FACTORY = new RedisResultBackendFactory();
    private static String url;

    @BeforeAll
    static void startRedis() throws Exception {
        url = RedisTestServer.url();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        RedisTestServer.stop();
    }

    @Override
    protected ResultBackend openBackend() {
        return FACTORY.open(url, Map.of());
    }
}
