package com.example.vendor.transport;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.celeriac.spi.transport.Message;

/** The queues and fanout exchanges of one {@code vendor://} URL: first in, first out, no priorities. */
final class VendorQueues {

    /** A message taken from a queue, with whether it was handed out before. */
    record Taken(String queue, Message message, boolean redelivered) {
    }

    private record Waiting(Message message, boolean redelivered) {
    }

    private final Map<String, Deque<Waiting>> queues = new HashMap<>(); // guarded by this
    private final Map<String, List<Consumer<Message>>> exchanges = new HashMap<>(); // guarded by itself

    synchronized void declare(String queue) {
        queue(queue);
    }

    synchronized void put(String queue, List<Message> messages) {
        Deque<Waiting> q = queue(queue);
        messages.forEach(m -> q.addLast(new Waiting(m, false)));
        notifyAll();
    }

    /** A message given back goes first: it was at the head when it was taken. */
    synchronized void putBack(String queue, Message message) {
        queue(queue).addFirst(new Waiting(message, true));
        notifyAll();
    }

    /** Takes up to {@code max} messages, from the queues in the order given; waits up to {@code wait} for the first. */
    synchronized List<Taken> take(Collection<String> names, int max, Duration wait) throws InterruptedException {
        long deadline = System.nanoTime() + (wait == null ? 0 : wait.toNanos());
        List<Taken> taken = new ArrayList<>();
        while (true) {
            for (String name : names) {
                Deque<Waiting> q = queue(name);
                while (taken.size() < max && !q.isEmpty()) {
                    Waiting w = q.removeFirst();
                    taken.add(new Taken(name, w.message(), w.redelivered()));
                }
            }
            long left = deadline - System.nanoTime();
            if (!taken.isEmpty() || left <= 0) {
                return taken;
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    synchronized long purge(String queue) {
        Deque<Waiting> q = queue(queue);
        long n = q.size();
        q.clear();
        return n;
    }

    synchronized long size(String queue) {
        return queue(queue).size();
    }

    void subscribe(String exchange, Consumer<Message> listener) {
        synchronized (exchanges) {
            exchanges.computeIfAbsent(exchange, e -> new CopyOnWriteArrayList<>()).add(listener);
        }
    }

    void unsubscribe(String exchange, Consumer<Message> listener) {
        synchronized (exchanges) {
            List<Consumer<Message>> listeners = exchanges.get(exchange);
            if (listeners != null) {
                listeners.remove(listener);
            }
        }
    }

    List<Consumer<Message>> subscribers(String exchange) {
        synchronized (exchanges) {
            return List.copyOf(exchanges.getOrDefault(exchange, List.of()));
        }
    }

    private Deque<Waiting> queue(String name) {
        return queues.computeIfAbsent(name, n -> new ArrayDeque<>());
    }
}
