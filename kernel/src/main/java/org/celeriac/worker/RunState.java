package org.celeriac.worker;

/** Whether a worker runs, and how it is stopping: read on every thread of the worker, so each flag is volatile. */
final class RunState {
    private volatile boolean running;
    /** A cold shutdown: running tasks are interrupted and left unsettled, for the broker to give out again. */
    private volatile boolean cold;
    /** Set once the worker interrupts the tasks still running: see {@link Shutdown#interruptRunning()}. */
    private volatile boolean cuttingShort;

    /** Whether the worker takes and dispatches messages: from its start until either stop. */
    boolean running() {
        return running;
    }

    void start() {
        running = true;
    }

    void stop() {
        running = false;
    }

    /** Whether a cold shutdown was asked for: from then on nothing is stored, published for a retry, or settled. */
    boolean cold() {
        return cold;
    }

    void goCold() {
        cold = true;
        running = false;
    }

    /** Whether the worker is interrupting its running tasks. */
    boolean cuttingShort() {
        return cuttingShort;
    }

    void cutShort() {
        cuttingShort = true;
    }
}
