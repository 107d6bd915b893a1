package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

import org.celeriac.app.Celeriac;
import org.celeriac.config.Settings;
import org.celeriac.discovery.PluginCatalog;
import org.celeriac.discovery.ServiceLoaderCatalog;
import org.celeriac.spi.backend.ResultBackendFactory;
import org.celeriac.spi.serializer.Serializer;
import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a transport hands over as unreadable (bytes that are not a message at all) goes to the dead-letter queue as
 * it came, with the transport's reason, and the worker goes on: on the in-memory broker, behind a transport that
 * reads a message of content type {@code test/unreadable} as such bytes.
 */
@Timeout(60)
class UnreadableDeliveryTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String UNREADABLE = "test/unreadable";

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void unreadableDeliveryIsDeadLetteredAsItCameWithItsReason() throws Exception {
        String name = UUID.randomUUID().toString();
        Celeriac app = Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, "unreadable://" + name,
                Settings.RESULT_BACKEND, "memory://" + name)), new Catalog(new ServiceLoaderCatalog()));
        open.add(app);
        app.tasks().register(TestTasks.class);
        Worker worker = app.worker(app.workerOptions().withConcurrency(1));
        open.add(worker);
        worker.start();
        byte[] raw = {(byte) 0xac, (byte) 0xed, 0, 5, (byte) 0xff, 'x'};

        app.transport().publish("celery", new Message(raw, UNREADABLE, "binary", null, null));

        assertThat(app.client().send("t.add", List.of(1, 2), Map.of()).get(WAIT)).isEqualTo(3);
        List<Delivery> dead = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (dead.isEmpty() && System.nanoTime() < deadline) {
            dead.addAll(app.transport().receive(List.of("celeriac.dead_letter"), 1, Duration.ofMillis(200)));
        }
        assertThat(dead).hasSize(1);
        Message m = dead.get(0).message();
        assertThat(m.body()).isEqualTo(raw);
        assertThat(m.headers()).containsEntry("x-celeriac-dead-letter-reason", "not a test envelope: 6 bytes")
                .containsEntry("x-celeriac-original-queue", "celery");
    }

    /** The plugins of the class path, and {@code unreadable://}: the in-memory broker behind {@link Reading}. */
    private record Catalog(PluginCatalog plugins) implements PluginCatalog {
        @Override
        public List<TransportFactory> transports() {
            TransportFactory memory = plugins.transportFor("memory://x");
            return List.of(new TransportFactory() {
                @Override
                public Set<String> schemes() {
                    return Set.of("unreadable");
                }

                @Override
                public Transport open(String url, Map<String, String> options) {
                    return new Reading(memory.open(url.replaceFirst("^unreadable:", "memory:"), options));
                }
            });
        }

        @Override
        public List<ResultBackendFactory> backends() {
            return plugins.backends();
        }

        @Override
        public List<Serializer> serializers() {
            return plugins.serializers();
        }
    }

    /** Hands a message of content type {@code test/unreadable} over as bytes it cannot read. */
    private record Reading(Transport t) implements Transport {
        @Override
        public List<Delivery> receive(Collection<String> queues, int max, Duration wait) throws InterruptedException {
            return t.receive(queues, max, wait).stream().map(d -> UNREADABLE.equals(d.message().contentType())
                    ? Delivery.unreadable(d.queue(), d.message().body(), d.tag(),
                    "not a test envelope: " + d.message().body().length + " bytes") : d).toList();
        }

        @Override
        public void declare(String queue) {
            t.declare(queue);
        }

        @Override
        public void publish(String queue, Message message) {
            t.publish(queue, message);
        }

        @Override
        public void ack(Delivery delivery) {
            t.ack(delivery);
        }

        @Override
        public void reject(Delivery delivery, boolean requeue) {
            t.reject(delivery, requeue);
        }

        @Override
        public void broadcast(String exchange, Message message) {
            t.broadcast(exchange, message);
        }

        @Override
        public Subscription subscribe(String exchange, Consumer<Message> listener) {
            return t.subscribe(exchange, listener);
        }

        @Override
        public long purge(String queue) {
            return t.purge(queue);
        }

        @Override
        public long size(String queue) {
            return t.size(queue);
        }

        @Override
        public void close() {
            t.close();
        }
    }
}
