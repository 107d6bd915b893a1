package com.example.vendor.transport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;

/** One connection to a {@link VendorQueues}; the deliveries it holds unsettled go back when it closes. */
final class VendorTransport implements Transport {

    private record Unsettled(String queue, Message message) {
    }

    private final VendorQueues queues;
    private final AtomicLong tags = new AtomicLong();
    private final Map<Long, Unsettled> unsettled = new ConcurrentHashMap<>();
    private final List<Subscription> subscriptions = new ArrayList<>(); // guarded by this
    /** Broadcasts reach listeners on this thread, never on the broadcaster's. */
    private final ExecutorService listenerThread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "vendor-transport-broadcast");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    VendorTransport(VendorQueues queues) {
        this.queues = queues;
    }

    @Override
    public void declare(String queue) {
        ensureOpen();
        queues.declare(queue);
    }

    @Override
    public void publish(String queue, Message message) {
        publishAll(queue, List.of(message));
    }

    @Override
    public void publishAll(String queue, List<Message> messages) {
        ensureOpen();
        queues.put(queue, messages);
    }

    @Override
    public List<Delivery> receive(Collection<String> names, int max, Duration wait) throws InterruptedException {
        ensureOpen();
        List<Delivery> deliveries = new ArrayList<>();
        for (VendorQueues.Taken taken : queues.take(names, max, wait)) {
            long tag = tags.incrementAndGet();
            unsettled.put(tag, new Unsettled(taken.queue(), taken.message()));
            deliveries.add(new Delivery(taken.queue(), taken.message(), tag, taken.redelivered()));
        }
        return deliveries;
    }

    @Override
    public void ack(Delivery delivery) {
        unsettled.remove((Long) delivery.tag());
    }

    @Override
    public void reject(Delivery delivery, boolean requeue) {
        Unsettled held = unsettled.remove((Long) delivery.tag());
        if (held != null && requeue) {
            queues.putBack(held.queue(), held.message());
        }
    }

    @Override
    public void broadcast(String exchange, Message message) {
        ensureOpen();
        queues.subscribers(exchange).forEach(listener -> listener.accept(message));
    }

    @Override
    public synchronized Subscription subscribe(String exchange, Consumer<Message> listener) {
        ensureOpen();
        Consumer<Message> onOurThread = m -> {
            if (!listenerThread.isShutdown()) {
                listenerThread.execute(() -> listener.accept(m));
            }
        };
        queues.subscribe(exchange, onOurThread);
        Subscription subscription = () -> queues.unsubscribe(exchange, onOurThread);
        subscriptions.add(subscription);
        return subscription;
    }

    @Override
    public long purge(String queue) {
        ensureOpen();
        return queues.purge(queue);
    }

    @Override
    public long size(String queue) {
        ensureOpen();
        return queues.size(queue);
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        subscriptions.forEach(Subscription::close);
        listenerThread.shutdown();
        for (Long tag : List.copyOf(unsettled.keySet())) {
            Unsettled held = unsettled.remove(tag);
            if (held != null) {
                queues.putBack(held.queue(), held.message());
            }
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new TransportException("vendor transport is closed");
        }
    }
}
