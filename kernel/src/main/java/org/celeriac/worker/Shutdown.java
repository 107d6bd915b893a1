package org.celeriac.worker;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a worker stops: warm, giving back what has not started and waiting a while for what runs, or cold, as
 * Celery's second Ctrl-C, interrupting what runs and leaving it unsettled.
 */
final class Shutdown {
    private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);

    private final WorkerOptions options;
    private final Fetcher fetcher;
    private final Admission admission;
    private final TaskPool pool;
    private final Outcomes outcomes;
    private final TaskRequests requests;
    private final ScheduledExecutorService timer;
    private final RunState state;

    Shutdown(WorkerOptions options, Fetcher fetcher, Admission admission, TaskPool pool, Outcomes outcomes,
             TaskRequests requests, ScheduledExecutorService timer, RunState state) {
        this.options = options;
        this.fetcher = fetcher;
        this.admission = admission;
        this.pool = pool;
        this.outcomes = outcomes;
        this.requests = requests;
        this.timer = timer;
        this.state = state;
    }

    /**
     * Warm shutdown, once the worker no longer runs: gives back the messages not started, waits up to the shutdown
     * timeout for running tasks, then interrupts those still running (see {@link #interruptRunning()}). It does not
     * wait for threads abandoned at their hard time limit: their tasks were settled then, and such a thread, which
     * may never return, is left behind.
     */
    void warm() {
        try {
            // Not interrupted: an interrupt in the middle of JDBC or socket I/O can break the connection.
            fetcher.join(10_000);
            admission.giveBackWaiting();
            giveBackNotStarted(pool.drainQueue());
            pool.shutdown();
            awaitUnfinished(options.shutdownTimeout(), true);
            if (pool.unfinished() > 0) {
                if (state.cold()) {
                    // nothing is stored or acked any more: the broker gets it all back
                    giveBackNotStarted(pool.shutdownNow());
                } else {
                    LOG.warn("Tasks still running after {}; interrupting them", options.shutdownTimeout());
                    interruptRunning();
                }
                awaitUnfinished(Duration.ofSeconds(state.cold() ? 1 : 5), false);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            outcomes.drain();
            stopUninterrupted(timer);
            pool.timeLimiter().close();
        }
        int stuck = pool.timeLimiter().stuck();
        if (stuck > 0) {
            // A JVM thread cannot be killed; pool threads are daemons, so they do not hold the JVM's exit either.
            LOG.warn("Worker {}: {} task thread(s) abandoned at their hard time limit still running; left behind",
                    options.hostname(), stuck);
        }
        LOG.info("Worker {} stopped after {} messages", options.hostname(), outcomes.processed());
    }

    /**
     * Stops the timer without interrupting a lease renewal in progress: an interrupt in the middle of JDBC or socket
     * I/O can break the connection (H2's file channel for the whole database). Interrupted only if it hangs.
     */
    private static void stopUninterrupted(ScheduledExecutorService timer) {
        timer.shutdown();
        boolean interrupted = Thread.interrupted();
        try {
            if (!timer.awaitTermination(5, TimeUnit.SECONDS)) {
                timer.shutdownNow();
            }
        } catch (InterruptedException e) {
            timer.shutdownNow();
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Cold shutdown, as Celery's second Ctrl-C: running tasks are interrupted and their messages left unsettled, so
     * that late-ack ones go back to the broker when the transport closes (early-ack ones were acked already);
     * messages not started are given back. Ends a warm {@link #warm()} under way on another thread; returns at once.
     */
    void cold() {
        if (!state.cold()) {
            LOG.warn("Worker {}: cold shutdown; running tasks are interrupted and not acknowledged",
                    options.hostname());
        }
        state.goCold();
        giveBackNotStarted(pool.shutdownNow());
    }

    /**
     * Interrupts the tasks still running, for a shutdown that waits no longer. A task that then ends by an
     * exception was lost by the worker, not failed by its code: it is requeued or fails with {@code WorkerLostError}
     * as its {@code reject_on_worker_lost} says (see {@link TaskRunner}).
     */
    void interruptRunning() {
        state.cutShort();
        giveBackNotStarted(pool.shutdownNow());
    }

    /**
     * Waits up to {@code timeout} for {@link TaskPool#unfinished()} work to end, in slices, so that a cold shutdown
     * asked for meanwhile ends the wait when {@code untilCold}.
     */
    private void awaitUnfinished(Duration timeout, boolean untilCold) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!(untilCold && state.cold()) && pool.unfinished() > 0 && System.nanoTime() < deadline) {
            // Returns at once when the pool has terminated; with a stuck thread it never does, so poll.
            pool.awaitTermination(Math.min(50, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
        }
    }

    /** Gives back work taken off the pool's queue unstarted. */
    private void giveBackNotStarted(List<TaskPool.Pending> notStarted) {
        for (TaskPool.Pending p : notStarted) {
            requests.ended(p);
            outcomes.giveBack(p.delivery(), false);
        }
    }
}
