package org.celeriac.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a transport over the network must survive, each plugin subclassing it with its real server: its connection
 * dropped (a restarted broker) or gone silent without a reset (a partition; celery#8030: workers that never consume
 * again). A {@link PartitionProxy} stands between the transport under test and the broker; a second transport
 * talks to the broker directly.
 */
public abstract class TransportFaultContract {

    /** Generous for a slow machine; a consumer that is stuck for good never makes it. */
    protected static final Duration BOUND = Duration.ofSeconds(30);

    protected PartitionProxy proxy;
    /** On the broker directly. */
    protected Transport direct;
    /** On the broker through {@link #proxy}. */
    protected Transport proxied;
    protected final String queue = "faults-" + UUID.randomUUID();

    /** Where the broker listens. */
    protected abstract InetSocketAddress broker();

    protected abstract Transport openDirect();

    /**
     * A transport on the broker through {@code 127.0.0.1:proxyPort}, with timeouts short enough that a silent
     * connection is noticed within seconds.
     */
    protected abstract Transport openThrough(int proxyPort);

    /** The loopback port the proxy listens on; 0, the default, for any free one. */
    protected int proxyPort() {
        return 0;
    }

    /** How long a partition lasts: long enough for the transport to notice that its connection went silent. */
    protected Duration partitionLasts() {
        return Duration.ofMillis(1_500);
    }

    /**
     * Whether the transport has fanout and direct exchanges; the broadcast and direct tests are skipped when not, as
     * SQS has none (see {@link TransportContract#supportsBroadcast()}).
     */
    protected boolean supportsBroadcast() {
        return true;
    }

    @BeforeEach
    void openThroughProxy() throws Exception {
        InetSocketAddress b = broker();
        proxy = PartitionProxy.start(b.getHostString(), b.getPort(), proxyPort());
        direct = openDirect();
        direct.declare(queue);
        proxied = openThrough(proxy.port());
    }

    @AfterEach
    void closeAll() {
        direct.purge(queue);
        direct.close();
        proxy.close(); // first: closing the proxied transport could wait on its silent connections
        proxied.close();
    }

    @Test
    void consumesAgainAfterItsConnectionWasDropped() throws Exception {
        assertConsumesAgainAfter(() -> proxy.dropAll());
    }

    @Test
    void consumesAgainAfterItsConnectionWentSilent() throws Exception {
        assertConsumesAgainAfter(this::partition);
    }

    @Test
    void hearsBroadcastsAgainAfterItsConnectionWasDropped() throws Exception {
        assertHearsBroadcastsAgainAfter(() -> proxy.dropAll());
    }

    @Test
    void hearsBroadcastsAgainAfterItsConnectionWentSilent() throws Exception {
        assertHearsBroadcastsAgainAfter(this::partition);
    }

    @Test
    void hearsTopicsAgainAfterItsConnectionWasDropped() throws Exception {
        assertHearsTopicsAgainAfter(() -> proxy.dropAll());
    }

    @Test
    void hearsTopicsAgainAfterItsConnectionWentSilent() throws Exception {
        assertHearsTopicsAgainAfter(this::partition);
    }

    @Test
    void hearsDirectAgainAfterItsConnectionWasDropped() throws Exception {
        assertHearsDirectAgainAfter(() -> proxy.dropAll());
    }

    @Test
    void hearsDirectAgainAfterItsConnectionWentSilent() throws Exception {
        assertHearsDirectAgainAfter(this::partition);
    }

    protected void partition() {
        proxy.partition();
        sleep(partitionLasts().toMillis());
        proxy.heal();
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

            // "before" may come again: its ack can be lost with the connection, and at-least-once redelivers it
            long deadline = System.nanoTime() + BOUND.toNanos();
            String got = null;
            while (!"after".equals(got) && System.nanoTime() < deadline) {
                Delivery d = received.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                got = d == null ? null : new String(d.message().body(), StandardCharsets.UTF_8);
            }
            assertThat(got).as("received within %s after the fault", BOUND).isEqualTo("after");
        } finally {
            consumer.interrupt();
            consumer.join(10_000);
        }
    }

    private void assertHearsBroadcastsAgainAfter(Runnable fault) throws Exception {
        Assumptions.assumeTrue(supportsBroadcast(), "transport has no fanout or direct exchanges");
        String exchange = "faults-" + UUID.randomUUID();
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        Subscription s = proxied.subscribe(exchange, m -> heard.add(new String(m.body(), StandardCharsets.UTF_8)));
        try {
            direct.broadcast(exchange, message("before"));
            assertThat(heard.poll(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("before");

            fault.run();

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

    private void assertHearsTopicsAgainAfter(Runnable fault) throws Exception {
        String exchange = "faults-topic-" + UUID.randomUUID();
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        Subscription s;
        try {
            s = proxied.subscribeTopic(exchange, "task.*", m -> heard.add(new String(m.body(), StandardCharsets.UTF_8)));
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("transport has no topic exchanges");
            return;
        }
        try {
            direct.publishTopic(exchange, "task.sent", message("before"));
            assertThat(heard.poll(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("before");

            fault.run();

            // as a broadcast, a topic message reaches only those subscribed when it is sent: send until one is heard
            long deadline = System.nanoTime() + BOUND.toNanos();
            String got = null;
            while (got == null && System.nanoTime() < deadline) {
                direct.publishTopic(exchange, "task.sent", message("after"));
                got = heard.poll(200, TimeUnit.MILLISECONDS);
            }
            assertThat(got).as("heard within %s after the fault", BOUND).isEqualTo("after");
        } finally {
            s.close();
        }
    }

    private void assertHearsDirectAgainAfter(Runnable fault) throws Exception {
        Assumptions.assumeTrue(supportsBroadcast(), "transport has no fanout or direct exchanges");
        String exchange = "faults-direct-" + UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        BlockingQueue<String> heard = new LinkedBlockingQueue<>();
        Subscription s = proxied.subscribeDirect(exchange, key, key + "." + exchange, m -> heard.add(new String(
                m.body(), StandardCharsets.UTF_8)));
        try {
            direct.publishDirect(exchange, key, message("before"));
            assertThat(heard.poll(BOUND.toSeconds(), TimeUnit.SECONDS)).isEqualTo("before");

            fault.run();

            // while the queue is being bound again, a message may be dropped: send until one is heard
            long deadline = System.nanoTime() + BOUND.toNanos();
            String got = null;
            while (got == null && System.nanoTime() < deadline) {
                direct.publishDirect(exchange, key, message("after"));
                got = heard.poll(200, TimeUnit.MILLISECONDS);
            }
            assertThat(got).as("heard within %s after the fault", BOUND).isEqualTo("after");
        } finally {
            s.close();
        }
    }

    protected static Message message(String body) {
        return new Message(body.getBytes(StandardCharsets.UTF_8), "text/plain", "utf-8", Map.of(), Map.of());
    }

    protected static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
