package org.celeriac.spi.events;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives the events the kernel emits. Called on a thread of the kernel's that serves this sink alone, so a slow
 * sink delays only itself; while it is slow the kernel buffers a bounded number of events for it and drops, and
 * counts, the rest.
 */
@ConsumerType
public interface EventSink {
    void emit(Event event);

    /** Several events at once, in the order they happened: sinks that batch (a broker, a file) override it. */
    default void emitAll(List<Event> events) {
        for (Event e : events) {
            emit(e);
        }
    }
}
