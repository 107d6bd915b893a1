package org.celeriac.events;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Celery's logical clock ({@code kombu.clocks.LamportClock}): events and control messages carry it as {@code clock},
 * so that monitors can order what happened on different nodes. One per app, shared by its events and its mailbox.
 */
public final class LamportClock {
    private final AtomicLong value = new AtomicLong();

    /** Ticks for an event of this node's; returns the new value. */
    public long forward() {
        return value.incrementAndGet();
    }

    /** Takes in another node's clock: the new value is past both. */
    public long adjust(long other) {
        return value.updateAndGet(v -> Math.max(v, other) + 1);
    }

    public long value() {
        return value.get();
    }
}
