package org.celeriac.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
    private static final int BATCH = 1024;
    /**
     * How long the thread lets events gather after the first of a batch. Without it, under load the sink would be
     * handed one event at a time, each woken thread hop and broker round trip costing as much as the task it reports;
     * with it, a busy worker's events go to the broker five milliseconds' worth at a time (Celery's worker buffers task
     * events likewise).
     */
    private static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /**
     * How long the thread sleeps when it found nothing: producers never wake it (a signal per event would cost the
     * worker's threads a lock and a system call each), so this is how late the first event after a quiet spell goes.
     */
    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long DROP_LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final EventSink sink;
    /** The sink, when it is the broker's: events are then buffered as their JSON ({@link BrokerEventSink#prepare}). */
    private final BrokerEventSink broker;
    /**
     * Lock-free: the worker's threads add to it without waiting on each other or on this thread. Events, or for the
     * broker's sink their {@link BrokerEventSink.Prepared} JSON.
     */
    private final Queue<Object> buffer = new ConcurrentLinkedQueue<>();
    private final AtomicInteger buffered = new AtomicInteger();
    private final int capacity;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread thread;
    private final BooleanSupplier wanted;
    private volatile boolean open = true;
    private volatile long lastDropLog;

    /** @param wanted whether events are wanted now; not even buffered while they are not */
    Outlet(EventSink sink, int capacity, String name, BooleanSupplier wanted) {
        this.sink = sink;
        this.broker = sink instanceof BrokerEventSink b ? b : null;
        this.wanted = wanted;
        this.capacity = capacity;
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
        if (buffered.incrementAndGet() > capacity) {
            buffered.decrementAndGet();
            long n = dropped.incrementAndGet();
            long now = System.nanoTime();
            if (now - lastDropLog > DROP_LOG_EVERY_NANOS) {
                lastDropLog = now;
                LOG.warn("Event sink {} falls behind: {} event(s) dropped so far", sink.getClass().getName(), n);
            }
        } else if (broker == null) {
            buffer.offer(e);
        } else {
            try {
                buffer.offer(broker.prepare(e));
            } catch (RuntimeException x) { // a field no JSON can hold: that event is lost, never the caller's work
                buffered.decrementAndGet();
                dropped.incrementAndGet();
                LOG.warn("Event {} cannot be written as JSON; dropped: {}", e.type(), x.toString());
            }
        }
    }

    long dropped() {
        return dropped.get();
    }

    /** Delivers what is buffered, waiting up to {@code timeout} for it to go, then stops the thread. */
    void close(long timeoutMillis) {
        open = false;
        LockSupport.unpark(thread);
        try {
            thread.join(timeoutMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
    }

    @SuppressWarnings("unchecked") // the buffer holds what offer put there for this sink
    private void emit(List<?> batch) {
        if (broker != null) {
            broker.emitPrepared((List<BrokerEventSink.Prepared>) batch);
        } else {
            sink.emitAll((List<Event>) batch);
        }
    }

    private void run() {
        List<Object> batch = new ArrayList<>(BATCH);
        while (open || !buffer.isEmpty()) {
            if (!open && Thread.currentThread().isInterrupted()) {
                return; // closing gave up waiting for a sink that hangs
            }
            Object e;
            while (batch.size() < BATCH && (e = buffer.poll()) != null) {
                batch.add(e);
            }
            if (batch.isEmpty()) {
                LockSupport.parkNanos(this, IDLE_NANOS);
                continue;
            }
            buffered.addAndGet(-batch.size());
            try {
                emit(batch);
            } catch (RuntimeException x) {
                dropped.addAndGet(batch.size());
                LOG.warn("Event sink {} failed; {} event(s) lost: {}", sink.getClass().getName(), batch.size(),
                        x.toString());
            }
            boolean full = batch.size() == BATCH;
            batch.clear();
            if (!full && open) {
                LockSupport.parkNanos(this, LINGER_NANOS); // let the next batch gather
            }
        }
    }
}
