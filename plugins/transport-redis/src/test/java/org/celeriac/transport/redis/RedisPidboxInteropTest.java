package org.celeriac.transport.redis;

import java.util.Map;

import org.celeriac.redis.RedisTestServer;
import org.celeriac.spi.transport.Transport;
import org.celeriac.tck.PidboxInteropContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Celery's remote control between Python Celery ({@code /usr/bin/python3}, kombu's Redis transport) and this transport
 * on one Redis; replies are routed through {@code _kombu.binding.reply.celery.pidbox}. Skipped without Python Celery
 * and redis-py, except under CI.
 */
class RedisPidboxInteropTest extends PidboxInteropContract {

    @RegisterExtension
    static final RedisTestServer REDIS = new RedisTestServer();

    @Override
    protected String brokerUrl() {
        return REDIS.url();
    }

    @Override
    protected Transport openTransport(String url) {
        return new RedisTransportFactory().open(url, Map.of());
    }

    @Override
    protected String pythonClientModule() {
        return "redis";
    }
}
