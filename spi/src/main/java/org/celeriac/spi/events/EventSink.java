package org.celeriac.spi.events;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives the events the kernel emits. Must not block: a slow sink buffers or drops. */
@ConsumerType
public interface EventSink {
    void emit(Event event);
}
