package org.celeriac.spi.events;

import java.util.Map;
import java.util.Objects;

/**
 * One event in Celery's form: a type ({@code task-received}, {@code worker-heartbeat}, ...) and its fields
 * ({@code uuid, hostname, timestamp, ...}), JSON-like values, kept immutable and in the order given.
 */
public record Event(String type, Map<String, Object> fields) {
    public Event {
        Objects.requireNonNull(type, "type");
        fields = fields == null ? EventFields.of() : EventFields.copyOf(fields);
    }
}
