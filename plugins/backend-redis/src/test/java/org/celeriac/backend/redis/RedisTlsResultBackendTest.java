package org.celeriac.backend.redis;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.celeriac.redis.SkippedContractTests;
import org.celeriac.redis.TlsRedisServer;
import org.celeriac.spi.backend.BackendException;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.tck.ResultBackendContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The result backend contract over {@code rediss://} to a Redis that speaks TLS only (results awaited through the
 * TLS subscriber connection too), its CA trusted through Celery's {@code redis_backend_use_ssl} keys; a server
 * signed by another CA refused, naming it. The expiry test waits out a TTL, which TLS does not touch: it runs in
 * {@link RedisResultBackendTest}.
 */
@SkippedContractTests(value = "resultExpiresAfterTtl", reason = "a TTL wait: RedisResultBackendTest runs it")
class RedisTlsResultBackendTest extends ResultBackendContract {

    private static final RedisResultBackendFactory FACTORY = new RedisResultBackendFactory();

    @RegisterExtension
    static final TlsRedisServer REDIS = new TlsRedisServer(false);

    @Override
    protected ResultBackend openBackend() {
        return FACTORY.open(REDIS.url(1), Map.of("ssl_cert_reqs", "required",
                "ssl_ca_certs", REDIS.certificates().ca().toString()));
    }

    @Test
    void refusesAServerSignedByACaItDoesNotTrustNamingTheServer() {
        try (ResultBackend b = FACTORY.open(REDIS.url(1) + "?ssl_ca_certs=" + REDIS.certificates().otherCa(),
                Map.of())) {
            assertThatThrownBy(() -> b.get(newId()))
                    .isInstanceOf(BackendException.class)
                    .hasMessageContaining("127.0.0.1:" + REDIS.port() + "/1")
                    .hasMessageContaining("not signed by a CA trusted here");
        }
    }
}
