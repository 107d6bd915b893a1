package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.SendOptions;
import org.celeriac.discovery.ServiceLoaderCatalog;
import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A broker that takes back deliveries held too long (RabbitMQ's consumer_timeout, celery#6760): the worker hands a
 * message waiting for a distant ETA back as a fresh copy before that, and the task still runs once, on time.
 */
@Timeout(60)
class HoldLimitTest {

    private static final Duration MAX_HOLD = Duration.ofMillis(400);

    @Test
    void handsBackTaskWaitingForADistantEtaAndRunsItOnce() throws Exception {
        ServiceLoaderCatalog plugins = new ServiceLoaderCatalog();
        try (Celeriac app = Celeriac.open(Celeriac.inMemory(UUID.randomUUID().toString()), plugins)) {
            app.tasks().register(TestTasks.class);
            HoldLimitedTransport broker = new HoldLimitedTransport(app.transport());
            Worker worker = new Worker(broker, app.backend(), app.tasks(), plugins,
                    app.workerOptions().withConcurrency(2));
            worker.start();
            try {
                String key = UUID.randomUUID().toString();
                Instant eta = Instant.now().plusMillis(2_000);

                AsyncResult r = app.client().send("t.count", List.of(key), Map.of(), SendOptions.defaults().eta(eta));

                assertThat(r.get(Duration.ofSeconds(20))).isEqualTo(1);
                assertThat(Instant.now()).isAfterOrEqualTo(eta);
                assertThat(broker.published.get()).as("the send, then copies handed back while waiting").isGreaterThan(2);
                assertThat(broker.longestHoldMillis()).isLessThan(MAX_HOLD.toMillis());
                assertThat(app.transport().size("celery")).isZero();
                Thread.sleep(300);
                assertThat(TestTasks.RUNS.get(key).get()).isEqualTo(1);
            } finally {
                worker.stop();
            }
        }
    }

    @Test
    void handsBackTaskWaitingForItsRateLimitAndRunsItOnce() throws Exception {
        ServiceLoaderCatalog plugins = new ServiceLoaderCatalog();
        try (Celeriac app = Celeriac.open(Celeriac.inMemory(UUID.randomUUID().toString()), plugins)) {
            app.tasks().register(TestTasks.class);
            HoldLimitedTransport broker = new HoldLimitedTransport(app.transport());
            Worker worker = new Worker(broker, app.backend(), app.tasks(), plugins,
                    app.workerOptions().withConcurrency(2), DispatchOptions.defaults().withDefaultRateLimit("1/s"));
            worker.start();
            try {
                String first = UUID.randomUUID().toString();
                String second = UUID.randomUUID().toString();

                AsyncResult a = app.client().send("t.count", List.of(first), Map.of());
                AsyncResult b = app.client().send("t.count", List.of(second), Map.of());

                assertThat(a.get(Duration.ofSeconds(20))).isEqualTo(1);
                assertThat(b.get(Duration.ofSeconds(20))).isEqualTo(1);
                assertThat(broker.published.get()).as("the sends, then copies handed back while waiting").isGreaterThan(2);
                assertThat(broker.longestHoldMillis()).isLessThan(MAX_HOLD.toMillis());
                Thread.sleep(300);
                assertThat(TestTasks.RUNS.get(second).get()).isEqualTo(1);
            } finally {
                worker.stop();
            }
        }
    }

    /** The in-memory broker, with a hold limit, counting what is published and timing every delivery's hold. */
    private static final class HoldLimitedTransport implements Transport {
        private final Transport broker;
        final AtomicInteger published = new AtomicInteger();
        private final Map<Delivery, Long> receivedAt = new IdentityHashMap<>();
        private long longestHoldNanos;

        HoldLimitedTransport(Transport broker) {
            this.broker = broker;
        }

        synchronized long longestHoldMillis() {
            long now = System.nanoTime();
            long longest = longestHoldNanos;
            for (long at : receivedAt.values()) {
                longest = Math.max(longest, now - at);
            }
            return longest / 1_000_000;
        }

        private synchronized void settled(Delivery d) {
            Long at = receivedAt.remove(d);
            if (at != null) {
                longestHoldNanos = Math.max(longestHoldNanos, System.nanoTime() - at);
            }
        }

        @Override
        public Duration maxHold() {
            return MAX_HOLD;
        }

        @Override
        public void declare(String queue) {
            broker.declare(queue);
        }

        @Override
        public void publish(String queue, Message message) {
            published.incrementAndGet();
            broker.publish(queue, message);
        }

        @Override
        public List<Delivery> receive(Collection<String> queues, int max, Duration wait) throws InterruptedException {
            List<Delivery> got = broker.receive(queues, max, wait);
            synchronized (this) {
                long now = System.nanoTime();
                got.forEach(d -> receivedAt.put(d, now));
            }
            return got;
        }

        @Override
        public void ack(Delivery delivery) {
            settled(delivery);
            broker.ack(delivery);
        }

        @Override
        public void ackAll(Collection<Delivery> deliveries) {
            deliveries.forEach(this::settled);
            broker.ackAll(deliveries);
        }

        @Override
        public void reject(Delivery delivery, boolean requeue) {
            settled(delivery);
            broker.reject(delivery, requeue);
        }

        @Override
        public void broadcast(String exchange, Message message) {
            broker.broadcast(exchange, message);
        }

        @Override
        public Subscription subscribe(String exchange, Consumer<Message> listener) {
            return broker.subscribe(exchange, listener);
        }

        @Override
        public long purge(String queue) {
            return broker.purge(queue);
        }

        @Override
        public long size(String queue) {
            return broker.size(queue);
        }

        @Override
        public void close() {
            // the app closes the broker
        }
    }
}
