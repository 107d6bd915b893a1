package org.celeriac.spi.transport;

import java.util.Map;
import java.util.Objects;

/**
 * One broker message as Celery's kombu sees it: an encoded body with its content type, protocol headers
 * and message properties ({@code correlation_id}, {@code reply_to}, {@code priority}, {@code delivery_info}, ...).
 * Header and property values are JSON-like: {@code null}, {@link String}, {@link Number}, {@link Boolean},
 * {@link java.util.List} and {@link Map}. The body array is not copied: treat it as read-only.
 */
public record Message(byte[] body, String contentType, String contentEncoding,
                      Map<String, Object> headers, Map<String, Object> properties) {

    public Message {
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(contentType, "contentType");
        contentEncoding = contentEncoding == null ? "utf-8" : contentEncoding;
        headers = headers == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(headers));
        properties = properties == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(properties));
    }

    /** The {@code priority} property, 0 when absent. */
    public int priority() {
        return properties.get("priority") instanceof Number n ? n.intValue() : 0;
    }

    /** The task id header, or {@code null} for a message that is not a task. */
    public String taskId() {
        return headers.get("id") instanceof String s ? s : null;
    }
}
