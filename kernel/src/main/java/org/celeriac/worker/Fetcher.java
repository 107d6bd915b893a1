package org.celeriac.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes messages from the broker on one consumer thread, up to the prefetch limit, and hands each to the
 * {@link Dispatcher}. It waits while a round of work is queued for the pool, pauses while the {@link MemoryGuard}
 * says the heap is too full, and backs off while the broker cannot be reached.
 */
final class Fetcher {
    private static final Logger LOG = LoggerFactory.getLogger(Fetcher.class);

    private final Transport transport;
    private final boolean disablePrefetch;
    private final TaskPool pool;
    private final PrefetchSlots prefetch;
    private final MemoryGuard memory;
    private final Outcomes outcomes;
    private final Dispatcher dispatcher;
    private final ScheduledExecutorService timer;
    private final RunState state;
    /** The queues consumed now: replaced whole, under this, as consumers are added and cancelled. */
    private volatile List<String> queues;
    private Thread consumer;

    Fetcher(Transport transport, WorkerOptions options, DispatchOptions dispatch, TaskPool pool, MemoryGuard memory,
            Outcomes outcomes, Dispatcher dispatcher, ScheduledExecutorService timer, RunState state) {
        this.transport = transport;
        this.disablePrefetch = dispatch.disablePrefetch();
        this.pool = pool;
        this.prefetch = pool.prefetch();
        this.memory = memory;
        this.outcomes = outcomes;
        this.dispatcher = dispatcher;
        this.timer = timer;
        this.state = state;
        this.queues = options.queues();
    }

    /** Declares the queues and starts the consumer thread. */
    synchronized void start() {
        for (String q : queues) {
            transport.declare(q);
        }
        if (memory.enabled()) {
            memory.check(); // before the first fetch
            timer.scheduleWithFixedDelay(memory::check, 1, 1, TimeUnit.SECONDS);
        }
        consumer = TaskPool.threads("celeriac-consumer").newThread(this::consume);
        consumer.start();
    }

    /** The queues consumed now. */
    List<String> queues() {
        return queues;
    }

    /**
     * Declares a queue and consumes it as well, from the next fetch on; false if it is consumed already.
     *
     * @throws org.celeriac.spi.transport.TransportException when it cannot be declared: it is not consumed then
     */
    synchronized boolean addConsumer(String queue) {
        if (queue == null || queue.isBlank()) {
            throw new IllegalArgumentException("not a queue name: '" + queue + "'");
        }
        if (queues.contains(queue)) {
            return false;
        }
        transport.declare(queue);
        List<String> more = new ArrayList<>(queues);
        more.add(queue);
        queues = List.copyOf(more);
        return true;
    }

    /**
     * Stops taking from a queue, from the next fetch on (what was taken from it still runs); false if it was not
     * consumed. With no queue left the consumer takes nothing until one is added.
     */
    synchronized boolean cancelConsumer(String queue) {
        if (!queues.contains(queue)) {
            return false;
        }
        List<String> fewer = new ArrayList<>(queues);
        fewer.remove(queue);
        queues = List.copyOf(fewer);
        return true;
    }

    /** Waits for the consumer thread to end once the worker stops running. */
    void join(long millis) throws InterruptedException {
        consumer.join(millis);
    }

    private void consume() {
        long backoff = 100;
        while (state.running()) {
            pool.awaitRoom();
            List<String> from = queues;
            if (memory.paused() || from.isEmpty()) {
                LockSupport.parkNanos(this, 200_000_000L);
                continue;
            }
            int want;
            try {
                if (!prefetch.tryAcquire(200, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                want = 1 + prefetch.drainPermits();
                if (disablePrefetch) {
                    // Only as many as there are idle threads: what no thread is free for stays on the broker for
                    // another worker, as Celery 5.5's worker_disable_prefetch.
                    int idle = Math.max(1, pool.size() - pool.working());
                    if (want > idle) {
                        prefetch.release(want - idle);
                        want = idle;
                    }
                }
            } catch (InterruptedException e) {
                break;
            }
            List<Delivery> got = List.of();
            try {
                got = transport.receive(from, want, Duration.ofSeconds(1));
                backoff = 100;
            } catch (TransportException e) {
                LOG.warn("Cannot receive from the broker, retrying in {} ms: {}", backoff, e.getMessage());
                sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.error("Unexpected error receiving messages, retrying in {} ms", backoff, e);
                sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            } finally {
                prefetch.release(want - got.size());
            }
            for (Delivery d : got) {
                outcomes.hold(d);
                dispatcher.dispatch(d);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
