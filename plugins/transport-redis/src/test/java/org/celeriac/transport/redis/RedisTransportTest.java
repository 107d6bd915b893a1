package org.celeriac.transport.redis;

import java.time.Duration;
import java.util.Map;

import org.celeriac.redis.RedisTestServer;
import org.celeriac.spi.transport.Transport;
import org.celeriac.tck.TransportContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The transport contract on a real Redis (CELERIAC_TEST_REDIS_URL, or a redis-server started here). */
class RedisTransportTest extends TransportContract {

    private static final RedisTransportFactory FACTORY = new RedisTransportFactory();

    @RegisterExtension
    static final RedisTestServer REDIS = new RedisTestServer();

    @Override
    protected Transport openTransport() {
        return FACTORY.open(REDIS.url(), Map.of("visibility_timeout", "2"));
    }

    /** kombu's Redis transport serves priority 0 first (steps [0, 3, 6, 9], BRPOP on step 0's list first). */
    @Override
    protected boolean higherPriorityFirst() {
        return false;
    }

    /** A 2 s visibility timeout, checked every second. */
    @Override
    protected Duration redeliveryWait() {
        return Duration.ofSeconds(3);
    }
}
