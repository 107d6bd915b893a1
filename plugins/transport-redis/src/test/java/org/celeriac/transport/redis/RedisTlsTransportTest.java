package org.celeriac.transport.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.celeriac.redis.SkippedContractTests;
import org.celeriac.redis.TlsRedisServer;
import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;
import org.celeriac.tck.TransportContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The transport contract over {@code rediss://} to a Redis that speaks TLS only, trusting its CA by redis-py's
 * {@code ssl_ca_certs}; a server signed by another CA refused, naming it; a client certificate given to a server that
 * asks for one. The contract's tests of lease timing are left to {@link RedisTransportTest}: they wait out visibility
 * timeouts (10 s together), and TLS changes nothing there.
 */
@SkippedContractTests(value = {"renewKeepsHeldMessageFromOtherConsumers",
        "redeliversUnackedMessageAfterConsumerCrash", "ackAllSettlesEveryDeliveryGiven"},
        reason = "lease timing: RedisTransportTest runs it over plain TCP")
class RedisTlsTransportTest extends TransportContract {

    private static final RedisTransportFactory FACTORY = new RedisTransportFactory();

    @RegisterExtension
    static final TlsRedisServer REDIS = new TlsRedisServer(false);

    @RegisterExtension
    static final TlsRedisServer CLIENT_CERTIFICATES = new TlsRedisServer(true);

    @Override
    protected Transport openTransport() {
        return FACTORY.open(REDIS.trustingUrl(0), Map.of("visibility_timeout", "2"));
    }

    @Override
    protected boolean higherPriorityFirst() {
        return false;
    }

    @Override
    protected Duration redeliveryWait() {
        return Duration.ofSeconds(3);
    }

    @Test
    void refusesAServerSignedByACaItDoesNotTrustNamingTheServer() {
        String url = REDIS.url(0) + "?ssl_ca_certs=" + REDIS.certificates().otherCa();

        assertThatThrownBy(() -> FACTORY.open(url, Map.of()).close())
                .isInstanceOf(TransportException.class)
                .hasMessageContaining("Redis at 127.0.0.1:" + REDIS.port() + "/0")
                .hasMessageContaining("TLS handshake failed: the server's certificate is not signed by a CA trusted"
                        + " here (ssl_ca_certs, else the JVM's)");
    }

    @Test
    void takesTlsOptionsFromTheTransportOptionsAsFromBrokerUseSsl() throws Exception {
        try (Transport t = FACTORY.open(REDIS.url(0), Map.of("ssl_cert_reqs", "CERT_REQUIRED",
                "ssl_ca_certs", REDIS.certificates().ca().toString()))) {
            assertRoundTrip(t);
        }
    }

    @Test
    void presentsTheClientCertificateToAServerThatAsksForOne() throws Exception {
        String url = CLIENT_CERTIFICATES.trustingUrl(0);
        assertThatThrownBy(() -> FACTORY.open(url, Map.of()).close()).as("no client certificate")
                .isInstanceOf(TransportException.class)
                .hasMessageContaining("Redis at 127.0.0.1:" + CLIENT_CERTIFICATES.port() + "/0");

        try (Transport t = FACTORY.open(url + "&ssl_certfile=" + CLIENT_CERTIFICATES.certificates().clientCert()
                + "&ssl_keyfile=" + CLIENT_CERTIFICATES.certificates().clientKey(), Map.of())) {
            assertRoundTrip(t);
        }
    }

    private static void assertRoundTrip(Transport t) throws InterruptedException {
        String queue = "tls-" + UUID.randomUUID();
        t.publish(queue, new Message("over tls".getBytes(StandardCharsets.UTF_8), "application/json", "utf-8",
                Map.of("id", "1"), Map.of()));
        List<Delivery> got = t.receive(List.of(queue), 1, Duration.ofSeconds(5));
        assertThat(got).hasSize(1);
        assertThat(new String(got.get(0).message().body(), StandardCharsets.UTF_8)).isEqualTo("over tls");
        t.ack(got.get(0));
    }
}
