package org.celeriac.events;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import org.celeriac.spi.events.Event;
import org.celeriac.spi.events.EventSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One sink's bounded buffer and the thread that empties it into the sink in batches, so that a slow or failing sink
 * delays and loses only its own events, never the worker's threads.
 */
final class Outlet {
    private static final Logger LOG = LoggerFactory.getLogger(Outlet.class);
    private static final int BATCH = 256;
    /**
     * How long the thread lets events gather after the first of a batch. Without it, under load the sink would be
     * handed one event at a time, each woken thread hop and broker round trip costing as much as the task it reports;
     * with it, a busy worker's events go to the broker a millisecond's worth at a time (Celery's worker buffers task
     * events likewise).
     */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long DROP_LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final EventSink sink;
    private final BlockingQueue<Event> buffer;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private final BooleanSupplier wanted;
    private volatile boolean open = true;
    private volatile long lastDropLog;

    /** @param wanted whether events are wanted now; not even buffered while they are not */
    Outlet(EventSink sink, int capacity, String name, BooleanSupplier wanted) {
        this.sink = sink;
        this.wanted = wanted;
        this.buffer = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    EventSink sink() {
        return sink;
    }

    boolean wanted() {
        return wanted.getAsBoolean();
    }

    void offer(Event e) {
        if (!buffer.offer(e)) {
            long n = dropped.incrementAndGet();
            long now = System.nanoTime();
            if (now - lastDropLog > DROP_LOG_EVERY_NANOS) {
                lastDropLog = now;
                LOG.warn("Event sink {} falls behind: {} event(s) dropped so far", sink.getClass().getName(), n);
            }
        }
    }

    long dropped() {
        return dropped.get();
    }

    /** Delivers what is buffered, waiting up to {@code timeout} for it to go, then stops the thread. */
    void close(long timeoutMillis) {
        open = false;
        try {
            thread.join(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
    }

    private void run() {
        List<Event> batch = new ArrayList<>(BATCH);
        while (open || !buffer.isEmpty()) {
            try {
                Event first = buffer.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                if (buffer.isEmpty()) {
                    LockSupport.parkNanos(this, LINGER_NANOS);
                }
                buffer.drainTo(batch, BATCH - 1);
            } catch (InterruptedException e) {
                return;
            }
            try {
                sink.emitAll(batch);
            } catch (RuntimeException e) {
                dropped.addAndGet(batch.size());
                LOG.warn("Event sink {} failed; {} event(s) lost: {}", sink.getClass().getName(), batch.size(),
                        e.toString());
            }
            batch.clear();
        }
    }
}
