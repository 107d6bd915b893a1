package org.celeriac.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;
import org.celeriac.tck.PartitionProxy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transport behind a {@link PartitionProxy}: the client's automatic recovery brings consumers, publishing and
 * subscriptions back after the connection is dropped (a restarted broker) or goes silent (a partition, noticed by
 * heartbeats).
 */
@Timeout(120)
class AmqpConnectionFaultTest {

    private static final AmqpTransportFactory FACTORY = new AmqpTransportFactory();
    /** Generous for a slow machine; a consumer that is stuck for good never makes it. */
    private static final Duration BOUND = Duration.ofSeconds(30);
    /** Short heartbeats and timeouts: a silent connection is given up after about two heartbeats. */
    private static final String OPTIONS = "?heartbeat=1&connection_timeout=2";

    private static String url;
    private PartitionProxy proxy;
    private Transport direct;
    private Transport proxied;
    private final String queue = "faults-" + UUID.randomUUID();

    @BeforeAll
    static void requireBroker() {
        url = AmqpTestBroker.url();
    }

    @BeforeEach
    void open() throws Exception {
        AmqpUrl u = AmqpUrl.parse(url, Map.of());
        proxy = PartitionProxy.start(u.host(), u.port());
        direct = FACTORY.open(url, Map.of());
        direct.declare(queue);
        String vhost = java.net.URLEncoder.encode(u.virtualHost(), StandardCharsets.UTF_8);
        proxied = FACTORY.open("amqp://" + u.user() + ":" + u.password() + "@127.0.0.1:" + proxy.port() + "/" + vhost
                + OPTIONS, Map.of());
    }

    @AfterEach
    void close() {
        direct.purge(queue);
        direct.close();
        proxy.close();
        proxied.close();
    }

    @Test
    void consumesAgainAfterTheBrokerDroppedTheConnection() throws Exception {
        assertConsumesAgainAfter(() -> proxy.dropAll());
    }

    @Test
    void consumesAgainAfterTheConnectionWentSilent() throws Exception {
        assertConsumesAgainAfter(() -> {
            proxy.partition();
            sleep(4_000); // heartbeats miss; recovery attempts time out on the silenced proxy
            proxy.heal();
        });
    }

    private void assertConsumesAgainAfter(Runnable fault) throws Exception {
        BlockingQueue<Delivery> received = new LinkedBlockingQueue<>();
        Thread consumer = new Thread(() -> {
            // as the worker's consumer: receive, and after an error try again
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    for (Delivery d : proxied.receive(List.of(queue), 1, Duration.ofSeconds(1))) {
                        try {
                            proxied.ack(d);
                        } catch (TransportException e) {
                            continue; // lost with the connection: the broker gives it out again
                        }
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
            assertThat(received.poll(BOUND.toSeconds(), TimeUnit.SECONDS)).as("received before the fault").isNotNull();

            fault.run();
            direct.publish(queue, message("after"));

            Delivery after = received.poll(BOUND.toSeconds(), TimeUnit.SECONDS);
            assertThat(after).as("received within %s after the fault", BOUND).isNotNull();
            assertThat(new String(after.message().body(), StandardCharsets.UTF_8)).isEqualTo("after");
        } finally {
            consumer.interrupt();
            consumer.join(10_000);
        }
    }

    @Test
    void publishesAgainAfterTheBrokerDroppedTheConnection() throws Exception {
        proxied.publish(queue, message("first"));
        proxy.dropAll();

        // while the connection recovers a publish fails, and the caller may try again
        long deadline = System.nanoTime() + BOUND.toNanos();
        boolean sent = false;
        while (!sent && System.nanoTime() < deadline) {
            try {
                proxied.publish(queue, message("second"));
                sent = true;
            } catch (TransportException e) {
                sleep(200);
            }
        }

        assertThat(sent).as("published within %s", BOUND).isTrue();
        assertThat(direct.size(queue)).isGreaterThanOrEqualTo(2);
    }

    @Test
    void hearsBroadcastsAgainAfterTheBrokerDroppedTheConnection() throws Exception {
        String exchange = "faults-" + UUID.randomUUID();
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        Subscription s = proxied.subscribe(exchange, m -> heard.add(new String(m.body(), StandardCharsets.UTF_8)));
        try {
            direct.broadcast(exchange, message("before"));
            assertThat(heard.poll(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("before");

            proxy.dropAll();

            // a broadcast reaches only those subscribed when it is sent: send until one is heard
            long deadline = System.nanoTime() + BOUND.toNanos();
            String got = null;
            while (got == null && System.nanoTime() < deadline) {
                direct.broadcast(exchange, message("after"));
                got = heard.poll(200, TimeUnit.MILLISECONDS);
            }
            assertThat(got).as("heard within %s after the fault", BOUND).isEqualTo("after");
        } finally {
            s.close();
        }
    }

    @Test
    void closingWhileTheConnectionIsDownStopsItsRecovery() throws Exception {
        proxied.publish(queue, message("first"));
        proxy.dropAll();
        int before = proxy.connections();

        proxied.close();
        Thread.sleep(3_000); // the recovery interval is 1 s

        assertThat(proxy.connections()).as("connections opened after close").isEqualTo(before);
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
