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
 * What a transport hands over as unreadable (bytes that are not a message at all), and a message whose dispatch
 * fails unexpectedly, go to the dead-letter queue once with the reason, and the worker goes on: on the in-memory
 * broker, behind a transport that reads a message of content type {@code test/unreadable} as such bytes, and one of
 * {@code test/throwing} with a header that throws when read.
 */
@Timeout(60)
class HostileDeliveryTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String UNREADABLE = "test/unreadable";
    private static final String THROWING = "test/throwing";

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    private Celeriac startApp() {
        String name = UUID.randomUUID().toString();
        Celeriac app = Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, "unreadable://" + name,
                Settings.RESULT_BACKEND, "memory://" + name)), new Catalog(new ServiceLoaderCatalog()));
        open.add(app);
        app.tasks().register(TestTasks.class);
        Worker worker = app.worker(app.workerOptions().withConcurrency(1));
        open.add(worker);
        worker.start();
        return app;
    }

    /** The dead letters, waiting a while for {@code expected}, and a little longer for any more. */
    private static List<Delivery> deadLetters(Celeriac app, int expected) throws InterruptedException {
        List<Delivery> dead = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (dead.size() < expected && System.nanoTime() < deadline) {
            dead.addAll(app.transport().receive(List.of("celeriac.dead_letter"), 10, Duration.ofMillis(200)));
        }
        dead.addAll(app.transport().receive(List.of("celeriac.dead_letter"), 10, Duration.ofMillis(500)));
        return dead;
    }

    @Test
    void messageWhoseDispatchThrowsIsDeadLetteredOnceNotReturnedForEver() throws Exception {
        Celeriac app = startApp();
        String id = UUID.randomUUID().toString();

        app.transport().publish("celery", new Message("[[1, 2], {}, {}]".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                THROWING, "utf-8", Map.of("id", id, "task", "t.add"), null));

        assertThat(app.client().send("t.add", List.of(1, 2), Map.of()).get(WAIT)).isEqualTo(3);
        List<Delivery> dead = deadLetters(app, 1);
        assertThat(dead).hasSize(1);
        assertThat((String) dead.get(0).message().headers().get("x-celeriac-dead-letter-reason"))
                .startsWith("cannot be dispatched: java.lang.IllegalStateException: a header that cannot be read");
        assertThat(app.backend().await(id, WAIT)).get().extracting(r -> r.state())
                .isEqualTo(org.celeriac.spi.backend.TaskState.FAILURE);
    }

    @Test
    void unreadableDeliveryIsDeadLetteredAsItCameWithItsReason() throws Exception {
        Celeriac app = startApp();
        byte[] raw = {(byte) 0xac, (byte) 0xed, 0, 5, (byte) 0xff, 'x'};

        app.transport().publish("celery", new Message(raw, UNREADABLE, "binary", null, null));

        assertThat(app.client().send("t.add", List.of(1, 2), Map.of()).get(WAIT)).isEqualTo(3);
        List<Delivery> dead = deadLetters(app, 1);
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
            return t.receive(queues, max, wait).stream().map(Reading::read).toList();
        }

        private static Delivery read(Delivery d) {
            Message m = d.message();
            if (UNREADABLE.equals(m.contentType())) {
                return Delivery.unreadable(d.queue(), m.body(), d.tag(), "not a test envelope: " + m.body().length
                        + " bytes");
            }
            if (THROWING.equals(m.contentType())) {
                Map<String, Object> headers = new java.util.LinkedHashMap<>(m.headers());
                headers.put("timelimit", new java.util.AbstractList<Object>() {
                    @Override
                    public Object get(int index) {
                        throw new IllegalStateException("a header that cannot be read");
                    }

                    @Override
                    public int size() {
                        throw new IllegalStateException("a header that cannot be read");
                    }
                });
                return new Delivery(d.queue(), new Message(m.body(), "application/json", m.contentEncoding(),
                        headers, m.properties()), d.tag(), d.redelivered());
            }
            return d;
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
