package org.celeriac.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.celeriac.json.JsonSerializer;
import org.celeriac.memory.MemoryTransportFactory;
import org.celeriac.spi.events.Event;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Events through a real (in-memory) broker's topic exchange, as Celery publishes and reads them. */
class BrokerEventSinkTest {

    private final JsonSerializer json = new JsonSerializer();
    private final Transport transport = new MemoryTransportFactory().open("memory://" + UUID.randomUUID(), Map.of());
    private final BrokerEventSink sink = new BrokerEventSink(transport, "celeryev");

    @AfterEach
    void close() {
        transport.close();
    }

    private static Event event(String type, String uuid) {
        return new Event(type, Map.of("hostname", "w1@host", "uuid", uuid, "type", type));
    }

    private static <T> void awaitSize(List<T> list, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (list.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void taskEventsTogetherGoAsOneTaskMultiMessageWorkerEventsAlone() throws Exception {
        List<Message> raw = new CopyOnWriteArrayList<>();
        List<String> keys = new CopyOnWriteArrayList<>();
        Subscription s = transport.subscribeTopic("celeryev", "#", m -> {
            raw.add(m);
            keys.add(String.valueOf(((Map<?, ?>) m.properties().get("delivery_info")).get("routing_key")));
        });

        sink.emitAll(List.of(event("task-received", "a"), event("task-started", "a"), event("worker-heartbeat", "-"),
                event("task-succeeded", "a")));
        awaitSize(raw, 3);
        s.close();

        assertThat(keys).containsExactly("task.multi", "worker.heartbeat", "task.succeeded");
        assertThat(raw.get(0).headers()).containsEntry("hostname", "w1@host");
        assertThat(json.decode(raw.get(0).body())).isInstanceOf(List.class);
        assertThat(new String(raw.get(2).body(), StandardCharsets.UTF_8)).contains("\"uuid\":\"a\"");
    }

    @Test
    void eventsPreparedOnTheSendingThreadGoOutAsTheSameMessages() throws Exception {
        List<Event> events = List.of(event("task-received", "a"), event("task-started", "a"),
                event("worker-heartbeat", "-"), event("task-succeeded", "a"), event("task-failed", "b"));
        List<Message> direct = new CopyOnWriteArrayList<>();
        List<Message> prepared = new CopyOnWriteArrayList<>();
        Subscription s = transport.subscribeTopic("celeryev", "#", direct::add);
        sink.emitAll(events);
        awaitSize(direct, 3);
        s.close();
        s = transport.subscribeTopic("celeryev", "#", prepared::add);
        sink.emitPrepared(events.stream().map(sink::prepare).toList());
        awaitSize(prepared, 3);
        s.close();

        assertThat(prepared).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(prepared.get(i).body()).isEqualTo(direct.get(i).body());
            assertThat(prepared.get(i).headers()).isEqualTo(direct.get(i).headers());
        }
    }

    @Test
    void receiverReadsSingleAndBatchedEventsInOrder() throws Exception {
        List<Event> heard = new CopyOnWriteArrayList<>();
        LamportClock clock = new LamportClock();
        Subscription s = EventReceiver.listen(transport, "celeryev", "task.#", json, clock, heard::add);

        sink.emitAll(List.of(event("task-received", "a"), event("task-started", "a"), event("worker-online", "-")));
        sink.emit(event("task-succeeded", "a"));
        awaitSize(heard, 3);
        s.close();

        assertThat(heard).extracting(Event::type).containsExactly("task-received", "task-started", "task-succeeded");
    }

    @Test
    void receiverSkipsWhatIsNotAnEvent() {
        Message junk = new Message("{oops".getBytes(StandardCharsets.UTF_8), "application/json", "utf-8", null, null);
        Message notEvent = new Message("[1, {\"no\": \"type\"}]".getBytes(StandardCharsets.UTF_8), "application/json",
                "utf-8", null, null);

        assertThat(EventReceiver.decode(junk, json)).isEmpty();
        assertThat(EventReceiver.decode(notEvent, json)).isEmpty();
    }

    @Test
    void transportWithoutTopicsDropsEventsWithoutFailingTheCaller() {
        int[] tries = {0};
        Transport noTopics = new Transport() {
            @Override public void declare(String queue) { }
            @Override public void publish(String queue, Message message) { }
            @Override public java.util.List<org.celeriac.spi.transport.Delivery> receive(
                    java.util.Collection<String> queues, int max, java.time.Duration wait) {
                return List.of();
            }
            @Override public void ack(org.celeriac.spi.transport.Delivery delivery) { }
            @Override public void reject(org.celeriac.spi.transport.Delivery delivery, boolean requeue) { }
            @Override public void broadcast(String exchange, Message message) {
                throw new UnsupportedOperationException("no fanout");
            }
            @Override public Subscription subscribe(String exchange, java.util.function.Consumer<Message> l) {
                throw new UnsupportedOperationException("no fanout");
            }
            @Override public void publishTopic(String exchange, String routingKey, Message message) {
                tries[0]++;
                throw new UnsupportedOperationException("no fanout");
            }
            @Override public long purge(String queue) { return 0; }
            @Override public long size(String queue) { return 0; }
            @Override public void close() { }
        };
        BrokerEventSink quiet = new BrokerEventSink(noTopics, "celeryev");

        quiet.emit(event("worker-heartbeat", "-"));
        quiet.emitAll(List.of(event("task-received", "a"), event("worker-heartbeat", "-")));

        assertThat(tries[0]).isEqualTo(1);
    }
}
