package org.celeriac.transport.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.celeriac.redis.CheckedConnections;
import org.celeriac.redis.RedisTestServer;
import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Transport;
import org.celeriac.tck.PartitionProxy;
import org.celeriac.tck.TransportFaultContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

/**
 * The transport behind a {@link PartitionProxy} ({@link TransportFaultContract}), and what is Redis's own: connections
 * Redis closed while they sat idle, and the restore lock lost with a connection.
 */
class RedisConnectionFaultTest extends TransportFaultContract {

    private static final RedisTransportFactory FACTORY = new RedisTransportFactory();
    /** A short socket timeout: a silent blocking read gives up after about 1 s + this. */
    private static final String OPTIONS = "?socket_timeout=2";

    @RegisterExtension
    static final RedisTestServer REDIS = new RedisTestServer();

    @Override
    protected InetSocketAddress broker() {
        URI redis = URI.create(REDIS.url());
        return InetSocketAddress.createUnresolved(redis.getHost(), redis.getPort());
    }

    @Override
    protected Transport openDirect() {
        return FACTORY.open(REDIS.url(), Map.of());
    }

    @Override
    protected Transport openThrough(int proxyPort) {
        return FACTORY.open("redis://127.0.0.1:" + proxyPort + URI.create(REDIS.url()).getPath() + OPTIONS, Map.of());
    }

    @Test
    void publishesOnANewConnectionAfterRedisClosedTheIdleOnes() throws Exception {
        proxied.publish(queue, message("first"));
        proxy.dropAll(); // as a restarted Redis does
        Thread.sleep(CheckedConnections.CHECK_AFTER_IDLE.toMillis() + 200);

        proxied.publish(queue, message("second"));

        assertThat(direct.size(queue)).isEqualTo(2);
    }

    @Test
    void restoresAgainAfterItLostItsConnectionHoldingTheRestoreLock() throws Exception {
        Map<String, String> shortLease = Map.of("visibility_timeout", "2");
        URI redis = URI.create(REDIS.url());
        try (Transport crashed = FACTORY.open(REDIS.url(), shortLease);
             Transport other = FACTORY.open(REDIS.url(), shortLease);
             Jedis j = new Jedis(redis.getHost(), redis.getPort())) {
            direct.publish(queue, message("held"));
            assertThat(crashed.receive(List.of(queue), 1, Duration.ofSeconds(5))).hasSize(1); // and never settled
            // as if Redis went away between taking the lock and letting go of it: the lock stays for 5 minutes
            j.set(RedisTransport.UNACKED_MUTEX, "lost",
                    SetParams.setParams().px(RedisTransport.UNACKED_MUTEX_EXPIRE_MS));
            ((RedisTransport) crashed).lostMutexToken = "lost";
            try {
                List<Delivery> again = other.receive(List.of(queue), 1, BOUND);

                assertThat(again).as("restored within %s", BOUND).hasSize(1);
                assertThat(again.get(0).redelivered()).isTrue();
                other.ack(again.get(0));
            } finally {
                j.eval("if redis.call('GET', KEYS[1]) == 'lost' then return redis.call('DEL', KEYS[1]) end return 0",
                        List.of(RedisTransport.UNACKED_MUTEX), List.of()); // not to hold up the other tests
            }
        }
    }
}
