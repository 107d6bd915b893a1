package org.celeriac.cli;

/** How a running worker learns that it should stop, and tells that it has. */
interface StopRequest {

    /** Blocks until the worker is asked to stop. */
    void await() throws InterruptedException;

    /** Says the warm shutdown is over: running tasks finished, prefetched messages back on the broker. */
    void stopped();
}
