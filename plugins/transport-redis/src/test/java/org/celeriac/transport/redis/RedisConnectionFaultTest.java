package org.celeriac.transport.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.celeriac.redis.CheckedConnections;
import org.celeriac.redis.RedisTestServer;
import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;
import org.celeriac.tck.PartitionProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

/**
 * The transport behind a {@link PartitionProxy}: connections that go silent without a reset (celery#8030, #10205:
 * workers that never consume again after a network fault) and connections Redis closed while they sat idle.
 */
class RedisConnectionFaultTest {

    private static final RedisTransportFactory FACTORY = new RedisTransportFactory();
    /** Generous for a slow machine; a consumer that is stuck for good never makes it. */
    private static final Duration BOUND = Duration.ofSeconds(30);
    /** A short socket timeout: a silent blocking read gives up after about 1 s + this. */
    private static final String OPTIONS = "?socket_timeout=2";

    private PartitionProxy proxy;
    private Transport direct;
    private Transport proxied;
    private final String queue = "faults-" + UUID.randomUUID();

    @RegisterExtension
    static final RedisTestServer REDIS = new RedisTestServer();

    @BeforeEach
    void open() throws Exception {
        URI redis = URI.create(REDIS.url());
        proxy = PartitionProxy.start(redis.getHost(), redis.getPort());
        direct = FACTORY.open(REDIS.url(), Map.of());
        proxied = FACTORY.open("redis://127.0.0.1:" + proxy.port() + redis.getPath() + OPTIONS, Map.of());
    }

    @AfterEach
    void close() {
        direct.purge(queue);
        direct.close();
        proxy.close(); // first: closing the proxied transport would wait on its silent connections
        proxied.close();
    }

    @Test
    void consumesAgainAfterItsConnectionGoesSilent() throws Exception {
        BlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
        Thread consumer = new Thread(() -> {
            // as the worker's consumer: receive, and after an error try again
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    for (Delivery d : proxied.receive(List.of(queue), 1, Duration.ofSeconds(1))) {
                        proxied.ack(d);
                        received.add(d);
                    }
                } catch (TransportException e) {
                    sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "test-consumer");
        consumer.setDaemon(true);
        consumer.start();
        try {
            direct.publish(queue, message("before"));
            assertThat(received.poll(BOUND.toSeconds(), TimeUnit.SECONDS)).as("received before the partition")
                    .isNotNull();

            proxy.partition(); // the consumer waits in a blocking pop, now on a silent connection
            // Redis ends that pop on its side within its 1 s slice: no later message goes to the vanished consumer
            Thread.sleep(1_500);
            proxy.heal();
            direct.publish(queue, message("after"));

            Delivery after = received.poll(BOUND.toSeconds(), TimeUnit.SECONDS);
            assertThat(after).as("received within %s after the partition healed", BOUND).isNotNull();
            assertThat(new String(after.message().body(), StandardCharsets.UTF_8)).isEqualTo("after");
        } finally {
            consumer.interrupt();
            consumer.join(10_000);
        }
    }

    @Test
    void hearsBroadcastsAgainAfterItsConnectionGoesSilent() throws Exception {
        String exchange = "faults-" + UUID.randomUUID();
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        Subscription s = proxied.subscribe(exchange, m -> heard.add(new String(m.body(), StandardCharsets.UTF_8)));
        try {
            direct.broadcast(exchange, message("before"));
            assertThat(heard.poll(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("before");

            proxy.partition();
            Thread.sleep(1_500);
            proxy.heal();

            // a broadcast reaches only those subscribed when it is sent: send until one is heard
            long deadline = System.nanoTime() + BOUND.toNanos();
            String got = null;
            while (got == null && System.nanoTime() < deadline) {
                direct.broadcast(exchange, message("after"));
                got = heard.poll(200, TimeUnit.MILLISECONDS);
            }
            assertThat(got).as("heard within %s after the partition healed", BOUND).isEqualTo("after");
        } finally {
            s.close();
        }
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

    private static Message message(String body) {
        return new Message(body.getBytes(StandardCharsets.UTF_8), "text/plain", "utf-8", Map.of(), Map.of());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
