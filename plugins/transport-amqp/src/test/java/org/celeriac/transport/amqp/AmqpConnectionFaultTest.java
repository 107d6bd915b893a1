package org.celeriac.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;
import org.celeriac.tck.PartitionProxy;
import org.celeriac.tck.TransportFaultContract;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transport behind a {@link PartitionProxy} ({@link TransportFaultContract}): the client's automatic recovery
 * brings consumers, publishing and subscriptions back after the connection is dropped (a restarted broker) or goes
 * silent (a partition, noticed by heartbeats).
 */
@Timeout(120)
class AmqpConnectionFaultTest extends TransportFaultContract {

    private static final AmqpTransportFactory FACTORY = new AmqpTransportFactory();
    /** Short heartbeats and timeouts: a silent connection is given up after about two heartbeats. */
    private static final String OPTIONS = "?heartbeat=1&connection_timeout=2";

    private static String url;

    @BeforeAll
    static void requireBroker() {
        url = AmqpTestBroker.url();
    }

    @Override
    protected InetSocketAddress broker() {
        AmqpUrl u = AmqpUrl.parse(url, Map.of());
        return InetSocketAddress.createUnresolved(u.host(), u.port());
    }

    @Override
    protected Transport openDirect() {
        return FACTORY.open(url, Map.of());
    }

    @Override
    protected Transport openThrough(int proxyPort) {
        AmqpUrl u = AmqpUrl.parse(url, Map.of());
        String vhost = URLEncoder.encode(u.virtualHost(), StandardCharsets.UTF_8);
        return FACTORY.open("amqp://" + u.user() + ":" + u.password() + "@127.0.0.1:" + proxyPort + "/" + vhost
                + OPTIONS, Map.of());
    }

    /** Heartbeats miss, and recovery attempts time out on the silenced proxy. */
    @Override
    protected Duration partitionLasts() {
        return Duration.ofSeconds(4);
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
    void publishesWaitingForConfirmsWhenTheConnectionDropsFailAndLaterOnesGoThrough() throws Exception {
        proxied.publish(queue, message("first"));
        int threads = 4;
        AtomicInteger confirmed = new AtomicInteger(1);
        AtomicInteger failed = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                running.add(pool.submit(() -> {
                    // as a client would: one at a time, trying again after a failure, until 150 went through
                    int sent = 0;
                    long deadline = System.nanoTime() + BOUND.toNanos();
                    while (sent < 150 && System.nanoTime() < deadline) {
                        try {
                            proxied.publish(queue, message("m"));
                            sent++;
                            confirmed.incrementAndGet();
                        } catch (TransportException e) {
                            failed.incrementAndGet();
                            sleep(100);
                        }
                    }
                    return sent;
                }));
            }
            while (confirmed.get() < 100) {
                Thread.sleep(5);
            }
            proxy.dropAll();
            for (Future<?> f : running) {
                assertThat(f.get(BOUND.toSeconds() + 10, TimeUnit.SECONDS)).as("published after the drop").isEqualTo(150);
            }
        } finally {
            pool.shutdownNow();
        }

        // every publish that returned is on the queue (some that failed may be too: at least once)
        assertThat(direct.size(queue)).isGreaterThanOrEqualTo(confirmed.get());
        assertThat(((AmqpTransport) proxied).publishesInFlight()).isZero();
    }

    @Test
    void publishesWhoseConfirmsDoNotComeFailRatherThanWaitForever() throws Exception {
        proxied.publish(queue, message("first"));
        proxy.partition();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                running.add(pool.submit(() -> {
                    proxied.publish(queue, message("unanswered"));
                    return null;
                }));
            }
            for (Future<?> f : running) {
                // the heartbeat (1 s) gives the connection up, or the confirm timeout ends the wait
                assertThatThrownBy(() -> f.get(BOUND.toSeconds(), TimeUnit.SECONDS))
                        .hasCauseInstanceOf(TransportException.class);
            }
        } finally {
            pool.shutdownNow();
            proxy.heal();
        }
        assertThat(((AmqpTransport) proxied).publishesInFlight()).isZero();
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
}
