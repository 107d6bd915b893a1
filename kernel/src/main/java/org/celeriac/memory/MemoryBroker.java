package org.celeriac.memory;

import org.celeriac.spi.transport.TopicPattern;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.celeriac.spi.transport.Message;

/** The queues of one {@code memory://} broker, shared by every transport opened on its URL. */
final class MemoryBroker {

    record Entry(long seq, Message message, boolean redelivered) {
        Entry again() {
            return new Entry(seq, message, true);
        }
    }

    /** Higher priority first, then first in, first out. */
    private static final Comparator<Entry> ORDER = Comparator
            .comparingInt((Entry e) -> -e.message().priority()).thenComparingLong(Entry::seq);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final Map<String, PriorityQueue<Entry>> queues = new HashMap<>();
    private final Map<String, List<Consumer<Message>>> exchanges = new HashMap<>();
    /** Topic exchanges: each binding is a pattern and the listener it feeds. */
    private final Map<String, List<Map.Entry<TopicPattern, Consumer<Message>>>> topics = new HashMap<>();
    private final AtomicLong seq = new AtomicLong();

    private PriorityQueue<Entry> queue(String name) {
        return queues.computeIfAbsent(name, n -> new PriorityQueue<>(ORDER));
    }

    void declare(String name) {
        lock.lock();
        try {
            queue(name);
        } finally {
            lock.unlock();
        }
    }

    void put(String name, Collection<Message> messages) {
        lock.lock();
        try {
            PriorityQueue<Entry> q = queue(name);
            for (Message m : messages) {
                q.add(new Entry(seq.incrementAndGet(), m, false));
            }
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Returns an entry given out and not settled: marked redelivered, as a broker marks it. */
    void putBack(String name, Entry entry) {
        restore(name, entry.again());
    }

    /** Returns an entry as it was: one taken but never given out, so not a redelivery. */
    void restore(String name, Entry entry) {
        lock.lock();
        try {
            queue(name).add(entry);
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Takes up to max entries, across queues by priority then age; waits up to nanos for the first. */
    List<Map.Entry<String, Entry>> take(Collection<String> names, int max, long nanos) throws InterruptedException {
        lock.lock();
        try {
            List<Map.Entry<String, Entry>> out = new ArrayList<>();
            while (true) {
                while (out.size() < max) {
                    String best = null;
                    for (String n : names) {
                        Entry head = queue(n).peek();
                        if (head != null && (best == null || ORDER.compare(head, queue(best).peek()) < 0)) {
                            best = n;
                        }
                    }
                    if (best == null) {
                        break;
                    }
                    out.add(Map.entry(best, queue(best).poll()));
                }
                if (!out.isEmpty() || nanos <= 0) {
                    return out;
                }
                nanos = arrived.awaitNanos(nanos);
            }
        } finally {
            lock.unlock();
        }
    }

    long purge(String name) {
        lock.lock();
        try {
            PriorityQueue<Entry> q = queue(name);
            int n = q.size();
            q.clear();
            return n;
        } finally {
            lock.unlock();
        }
    }

    long size(String name) {
        lock.lock();
        try {
            return queue(name).size();
        } finally {
            lock.unlock();
        }
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

    void subscribeTopic(String exchange, TopicPattern pattern, Consumer<Message> listener) {
        synchronized (topics) {
            topics.computeIfAbsent(exchange, e -> new CopyOnWriteArrayList<>()).add(Map.entry(pattern, listener));
        }
    }

    void unsubscribeTopic(String exchange, Consumer<Message> listener) {
        synchronized (topics) {
            List<Map.Entry<TopicPattern, Consumer<Message>>> bindings = topics.get(exchange);
            if (bindings != null) {
                bindings.removeIf(b -> b.getValue() == listener);
            }
        }
    }

    /** The listeners whose pattern matches the routing key. */
    List<Consumer<Message>> topicSubscribers(String exchange, String routingKey) {
        synchronized (topics) {
            return topics.getOrDefault(exchange, List.of()).stream()
                    .filter(b -> b.getKey().matches(routingKey)).map(Map.Entry::getValue).toList();
        }
    }

    static long toNanos(java.time.Duration d) {
        return d == null ? 0 : TimeUnit.NANOSECONDS.convert(d);
    }
}
