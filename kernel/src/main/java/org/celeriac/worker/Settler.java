package org.celeriac.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes results and settles deliveries for all of a worker's threads in batches, so that a busy worker pays one
 * round trip for many results ({@link ResultBackend#storeAll}) and one for many acks ({@link Transport#ackAll})
 * instead of two per task.
 *
 * <p>There is no thread of its own: the thread that submits work and finds no batch being written writes the
 * batch itself (flat combining), so a lone task pays no hand-off, and under load one pool thread writes for the
 * others while they go on running tasks. Order is kept: every batch stores its results before it settles its
 * deliveries, and batches are written one at a time in submission order, so a late-ack message is acked only
 * after the result its task submitted before.
 */
final class Settler {
    private static final Logger LOG = LoggerFactory.getLogger(Settler.class);
    private static final int MAX_BATCH = 512;
    private static final int MAX_UNSTORED = 10_000;
    /** Retries of a failed batch store before storing one by one; a backend that is down gets a few seconds. */
    private static final long[] STORE_RETRY_MILLIS = {50, 200, 1_000, 3_000};

    /** A result to store, or a delivery to ack (or requeue when {@code ack} is false). */
    private record Item(TaskResult result, Delivery delivery, boolean ack, boolean releasesPermit) {
    }

    private final Transport transport;
    private final ResultBackend backend;
    private final Duration resultExpires;
    /** Called once per delivery settled, with whether it still held a prefetch slot. */
    private final Consumer<Boolean> settled;
    private final ConcurrentLinkedQueue<Item> pending = new ConcurrentLinkedQueue<>();
    private final ReentrantLock writing = new ReentrantLock();
    /** Tasks whose result could not be stored, until their ack comes (written only under {@link #writing}). */
    private final Set<String> unstored = new HashSet<>();

    Settler(Transport transport, ResultBackend backend, Duration resultExpires, Consumer<Boolean> settled) {
        this.transport = transport;
        this.backend = backend;
        this.resultExpires = resultExpires;
        this.settled = settled;
    }

    void store(TaskResult result) {
        pending.add(new Item(result, null, false, false));
        flush();
    }

    /**
     * Stores a result and returns once it is written (or given up on), after everything submitted before it: for
     * a state that must be in the backend before what comes next can happen.
     */
    void storeNow(TaskResult result) {
        pending.add(new Item(result, null, false, false));
        writing.lock(); // a writer that took the result into its batch has written it once this returns
        try {
            List<Item> batch;
            while (!(batch = nextBatch()).isEmpty()) {
                write(batch);
            }
        } finally {
            writing.unlock();
        }
        flush();
    }

    void settle(Delivery delivery, boolean ack, boolean releasesPermit) {
        pending.add(new Item(null, delivery, ack, releasesPermit));
        flush();
    }

    /**
     * Writes what is pending unless another thread is writing already; that one sees the new items before it
     * lets go, because it checks again after unlocking.
     */
    void flush() {
        while (!pending.isEmpty() && writing.tryLock()) {
            try {
                write(nextBatch());
            } finally {
                writing.unlock();
            }
        }
    }

    private List<Item> nextBatch() {
        List<Item> batch = new ArrayList<>();
        Item i;
        while (batch.size() < MAX_BATCH && (i = pending.poll()) != null) {
            batch.add(i);
        }
        return batch;
    }

    /** Waits for a writer in another thread, then writes what is left: used when the worker stops. */
    void drain() {
        writing.lock();
        writing.unlock();
        flush();
    }

    private void write(List<Item> batch) {
        List<TaskResult> results = new ArrayList<>();
        List<Delivery> acks = new ArrayList<>();
        List<Delivery> requeue = new ArrayList<>();
        for (Item i : batch) {
            if (i.result() != null) {
                results.add(i.result());
            } else if (i.ack()) {
                acks.add(i.delivery());
            }
        }
        if (!results.isEmpty()) {
            storeAll(results);
        }
        if (!unstored.isEmpty()) {
            // A late-ack message whose result could not be stored goes back to run again, once: acking it would
            // lose the outcome. A message already redelivered is acked, so a result the backend always refuses
            // cannot loop. (The result was submitted before the ack, in this batch or an earlier one.)
            for (Item i : batch) {
                if (i.delivery() != null && i.ack() && unstored.remove(i.delivery().message().taskId())
                        && !i.delivery().redelivered()) {
                    acks.remove(i.delivery());
                    requeue.add(i.delivery());
                }
            }
        }
        if (!acks.isEmpty()) {
            try {
                transport.ackAll(acks);
            } catch (RuntimeException e) {
                // The broker still has them; they come back, which at-least-once allows.
                LOG.warn("Cannot ack {} message(s): {}", acks.size(), e.getMessage());
            }
        }
        for (Item i : batch) {
            if (i.delivery() == null) {
                continue;
            }
            if (!i.ack() || requeue.contains(i.delivery())) {
                try {
                    transport.reject(i.delivery(), true);
                } catch (RuntimeException e) {
                    LOG.warn("Cannot requeue message {}: {}", i.delivery().message().taskId(), e.getMessage());
                }
            }
            settled.accept(i.releasesPermit());
        }
    }

    /** Stores the results, retrying a while; notes in {@link #unstored} the tasks whose result it could not store. */
    private void storeAll(List<TaskResult> results) {
        RuntimeException last = null;
        for (int attempt = 0; attempt <= STORE_RETRY_MILLIS.length; attempt++) {
            try {
                backend.storeAll(results, resultExpires);
                return;
            } catch (RuntimeException e) {
                last = e;
                if (attempt < STORE_RETRY_MILLIS.length) {
                    LOG.warn("Cannot store {} result(s), retrying in {} ms: {}", results.size(),
                            STORE_RETRY_MILLIS[attempt], e.getMessage());
                    try {
                        Thread.sleep(STORE_RETRY_MILLIS[attempt]);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
            }
        }
        // One by one, so that one result the backend refuses does not take the others with it.
        List<String> failed = new ArrayList<>();
        for (TaskResult r : results) {
            try {
                backend.store(r, resultExpires);
            } catch (RuntimeException e) {
                failed.add(r.taskId());
                last = e;
            }
        }
        if (!failed.isEmpty()) {
            LOG.error("Cannot store the results of {} task(s) {}: {}", failed.size(), failed,
                    last == null ? "" : last.getMessage());
            if (unstored.size() > MAX_UNSTORED) {
                unstored.clear(); // ids of early-ack tasks, whose ack came before: never looked up again
            }
            unstored.addAll(failed);
        }
    }
}
