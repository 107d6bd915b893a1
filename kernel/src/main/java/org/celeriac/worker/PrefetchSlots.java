package org.celeriac.worker;

import java.util.concurrent.Semaphore;

/**
 * The prefetch limit: one slot per message taken from the broker and not yet started. Resizing the pool moves it
 * both ways, so it is a semaphore that can also lose permits.
 */
final class PrefetchSlots extends Semaphore {

    PrefetchSlots(int permits) {
        super(permits);
    }

    void reduce(int by) {
        reducePermits(by);
    }
}
