package org.celeriac.spi.events;

import java.util.Map;
import java.util.Objects;

/**
 * One event in Celery's form: a type ({@code task-received}, {@code worker-heartbeat}, ...) and its fields
 * ({@code uuid, hostname, timestamp, ...}), JSON-like values.
 */
public record Event(String type, Map<String, Object> fields) {
    public Event {
        Objects.requireNonNull(type, "type");
        fields = fields == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fields));
    }
}
