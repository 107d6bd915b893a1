package org.celeriac.cli;

/** How a running worker learns that it should stop, and tells that it has. */
interface StopRequest {

    /** Blocks until the worker is asked to stop. */
    void await() throws InterruptedException;

    /** Asks for a warm stop from within, as Celery's remote {@code shutdown} command does. */
    void request();

    /**
     * What to do on a second request, during the warm shutdown: stop cold. Without one, a second request exits
     * the process at once.
     */
    default void onCold(Runnable coldStop) {
    }

    /** The exit code the stop calls for: 0 after a warm shutdown. */
    default int exitCode() {
        return ExitCodes.OK;
    }

    /** Says the warm shutdown is over: running tasks finished, prefetched messages back on the broker. */
    void stopped();
}
