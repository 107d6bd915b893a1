package org.celeriac.memory;

import org.celeriac.spi.transport.TopicPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;

/** One connection to a {@link MemoryBroker}; what it holds unsettled goes back when it closes. */
final class MemoryTransport implements Transport {

    private record Tag(long seq) {
    }

    private final MemoryBroker broker;
    private final Map<Tag, Map.Entry<String, MemoryBroker.Entry>> unsettled = new ConcurrentHashMap<>();
    private final List<Subscription> subscriptions = new ArrayList<>();
    private final ExecutorService listenerThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "celeriac-memory-broadcast");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    MemoryTransport(MemoryBroker broker) {
        this.broker = broker;
    }

    @Override
    public void declare(String queue) {
        open();
        broker.declare(queue);
    }

    @Override
    public void publish(String queue, Message message) {
        publishAll(queue, List.of(message));
    }

    @Override
    public void publishAll(String queue, List<Message> messages) {
        open();
        broker.put(queue, messages);
    }

    @Override
    public List<Delivery> receive(Collection<String> queues, int max, Duration wait) throws InterruptedException {
        open();
        List<Map.Entry<String, MemoryBroker.Entry>> taken = broker.take(queues, max, MemoryBroker.toNanos(wait));
        List<Delivery> out = new ArrayList<>();
        synchronized (this) { // not interleaved with close(), which returns what is unsettled
            if (closed) {
                // Closed while this receive waited: what it took goes back unmarked, as no one was given it (marked,
                // a message could count as lost by a worker it never reached).
                taken.forEach(t -> broker.restore(t.getKey(), t.getValue()));
                throw new TransportException("transport is closed");
            }
            for (Map.Entry<String, MemoryBroker.Entry> t : taken) {
                Tag tag = new Tag(t.getValue().seq());
                unsettled.put(tag, t);
                out.add(new Delivery(t.getKey(), t.getValue().message(), tag, t.getValue().redelivered()));
            }
        }
        return out;
    }

    @Override
    public void ack(Delivery delivery) {
        unsettled.remove((Tag) delivery.tag());
    }

    @Override
    public void reject(Delivery delivery, boolean requeue) {
        Map.Entry<String, MemoryBroker.Entry> held = unsettled.remove((Tag) delivery.tag());
        if (held != null && requeue) {
            broker.putBack(held.getKey(), held.getValue());
        }
    }

    @Override
    public void broadcast(String exchange, Message message) {
        open();
        for (Consumer<Message> listener : broker.subscribers(exchange)) {
            listener.accept(message);
        }
    }

    @Override
    public synchronized Subscription subscribe(String exchange, Consumer<Message> listener) {
        open();
        Consumer<Message> async = onListenerThread(listener);
        broker.subscribe(exchange, async);
        Subscription s = () -> broker.unsubscribe(exchange, async);
        subscriptions.add(s);
        return s;
    }

    @Override
    public void publishTopic(String exchange, String routingKey, Message message) {
        open();
        // as an AMQP broker says where a message came from
        Map<String, Object> properties = new java.util.LinkedHashMap<>(message.properties());
        properties.put("delivery_info", Map.of("exchange", exchange, "routing_key", routingKey));
        Message routed = new Message(message.body(), message.contentType(), message.contentEncoding(),
                message.headers(), properties);
        for (Consumer<Message> listener : broker.topicSubscribers(exchange, routingKey)) {
            listener.accept(routed);
        }
    }

    @Override
    public synchronized Subscription subscribeTopic(String exchange, String pattern, Consumer<Message> listener) {
        open();
        Consumer<Message> async = onListenerThread(listener);
        broker.subscribeTopic(exchange, TopicPattern.of(pattern), async);
        Subscription s = () -> broker.unsubscribeTopic(exchange, async);
        subscriptions.add(s);
        return s;
    }

    /** Delivers on this transport's thread, never on the publisher's. */
    private Consumer<Message> onListenerThread(Consumer<Message> listener) {
        return m -> {
            if (!listenerThread.isShutdown()) {
                listenerThread.execute(() -> listener.accept(m));
            }
        };
    }

    @Override
    public long purge(String queue) {
        open();
        return broker.purge(queue);
    }

    @Override
    public long size(String queue) {
        open();
        return broker.size(queue);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        subscriptions.forEach(Subscription::close);
        listenerThread.shutdown();
        for (Tag tag : new ArrayList<>(unsettled.keySet())) {
            Map.Entry<String, MemoryBroker.Entry> held = unsettled.remove(tag);
            if (held != null) {
                broker.putBack(held.getKey(), held.getValue());
            }
        }
    }

    private void open() {
        if (closed) {
            throw new TransportException("transport is closed");
        }
    }
}
