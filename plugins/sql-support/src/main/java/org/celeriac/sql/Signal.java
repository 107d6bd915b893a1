package org.celeriac.sql;

import java.util.concurrent.TimeUnit;

/**
 * Wakes threads of this JVM that poll the database when another thread of it has just written what they
 * wait for, so that polling latency only applies across processes.
 */
public final class Signal {

    private long version;

    Signal() {
    }

    /** The current version; pass it to {@link #await} after polling found nothing. */
    public synchronized long version() {
        return version;
    }

    public synchronized void fire() {
        version++;
        notifyAll();
    }

    /**
     * Waits until the signal fired since {@code seen} was read, or the time is up.
     *
     * @return whether it fired
     */
    public synchronized boolean await(long seen, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (version == seen) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }
}
