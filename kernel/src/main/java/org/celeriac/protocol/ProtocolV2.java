package org.celeriac.protocol;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.celeriac.spi.serializer.Serializer;
import org.celeriac.spi.transport.Message;

/**
 * Reads and writes protocol v2 task messages, header for header as Celery 5 does
 * ({@code celery/app/amqp.py} {@code as_task_v2}). The body is {@code [args, kwargs, embed]}.
 */
public final class ProtocolV2 {

    /** Headers this codec maps to {@link TaskMessage} fields; all others pass through untouched. */
    private static final Set<String> KNOWN_HEADERS = Set.of("lang", "task", "id", "retries", "eta", "expires", "timelimit",
            "root_id", "parent_id", "group", "origin", "ignore_result", "argsrepr", "kwargsrepr");

    private static final DateTimeFormatter ISO_MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSxxx");

    private final Serializer serializer;

    public ProtocolV2(Serializer serializer) {
        this.serializer = serializer;
    }

    /** The {@code pid@host} origin Celery writes, for this JVM. */
    public static String defaultOrigin() {
        return ManagementFactory.getRuntimeMXBean().getName();
    }

    public Message encode(TaskMessage t, String queue) {
        Map<String, Object> embed = new LinkedHashMap<>();
        embed.put("callbacks", null);
        embed.put("errbacks", null);
        embed.put("chain", null);
        embed.put("chord", null);
        embed.putAll(t.embed());
        List<Object> body = Arrays.asList(t.args(), t.kwargs(), embed);

        Map<String, Object> h = new LinkedHashMap<>();
        h.put("lang", "py"); // Celery workers only accept "py"; the language of the body format, not the sender
        h.put("task", t.task());
        h.put("id", t.id());
        h.put("shadow", null);
        h.put("eta", t.eta() == null ? null : formatTime(t.eta()));
        h.put("expires", t.expires() == null ? null : formatTime(t.expires()));
        h.put("group", t.groupId());
        h.put("group_index", null);
        h.put("retries", t.retries());
        h.put("timelimit", Arrays.asList(seconds(t.hardTimeLimit()), seconds(t.softTimeLimit())));
        h.put("root_id", t.rootId());
        h.put("parent_id", t.parentId());
        h.put("argsrepr", Repr.of(t.args()));
        h.put("kwargsrepr", Repr.of(t.kwargs()));
        h.put("origin", t.origin());
        h.put("ignore_result", t.ignoreResult());
        h.putAll(t.otherHeaders());

        Map<String, Object> p = new LinkedHashMap<>();
        p.put("correlation_id", t.id());
        p.put("reply_to", t.replyTo());
        p.put("delivery_mode", 2);
        p.put("delivery_info", Map.of("exchange", "", "routing_key", queue));
        p.put("priority", t.priority());
        if (t.expires() != null) {
            // AMQP brokers drop the message when it expires, as Celery asks them to.
            long ms = Math.max(0, t.expires().toEpochMilli() - System.currentTimeMillis());
            p.put("expiration", Long.toString(ms));
        }
        return new Message(serializer.encode(body), serializer.contentType(), serializer.contentEncoding(), h, p);
    }

    /** Decodes a message whose content type the caller has already accepted. */
    @SuppressWarnings("unchecked")
    public TaskMessage decode(Message m) throws MalformedMessageException {
        Map<String, Object> h = m.headers();
        Object task = h.get("task");
        Object id = h.get("id");
        if (!(task instanceof String) || !(id instanceof String)) {
            throw new MalformedMessageException(h.isEmpty()
                    ? "not a protocol v2 task message: no headers (protocol v1 messages are not supported)"
                    : "not a protocol v2 task message: the 'task' and 'id' headers must be strings");
        }
        Object body;
        try {
            body = serializer.decode(m.body());
        } catch (IllegalArgumentException e) {
            throw new MalformedMessageException("body of task " + id + " cannot be decoded: " + e.getMessage(), e);
        }
        if (!(body instanceof List<?> parts) || parts.size() < 2 || parts.size() > 3
                || !(parts.get(0) instanceof List<?>) || !(parts.get(1) instanceof Map<?, ?>)
                || (parts.size() == 3 && parts.get(2) != null && !(parts.get(2) instanceof Map<?, ?>))) {
            throw new MalformedMessageException("body of task " + id + " is not [args, kwargs, embed]");
        }
        Map<String, Object> embed = new LinkedHashMap<>();
        if (parts.size() == 3 && parts.get(2) != null) {
            ((Map<String, Object>) parts.get(2)).forEach((k, v) -> {
                if (v != null) {
                    embed.put(k, v);
                }
            });
        }
        Map<String, Object> other = new LinkedHashMap<>();
        h.forEach((k, v) -> {
            if (!KNOWN_HEADERS.contains(k)) {
                other.put(k, v);
            }
        });
        Double hard = null;
        Double soft = null;
        if (h.get("timelimit") instanceof List<?> limits && limits.size() == 2) {
            hard = number(limits.get(0), "timelimit");
            soft = number(limits.get(1), "timelimit");
        }
        Map<String, Object> p = m.properties();
        return new TaskMessage((String) id, (String) task, (List<Object>) parts.get(0),
                (Map<String, Object>) parts.get(1), embed, integer(h.get("retries")),
                time(h.get("eta"), "eta"), time(h.get("expires"), "expires"), hard, soft,
                string(h.get("root_id")), string(h.get("parent_id")), string(h.get("group")),
                string(h.get("origin")), Boolean.TRUE.equals(h.get("ignore_result")), string(p.get("reply_to")),
                m.priority(), other);
    }

    /** Celery's time form: ISO 8601 with microseconds and offset. */
    public static String formatTime(Instant t) {
        return ISO_MICROS.format(t.atOffset(ZoneOffset.UTC));
    }

    /** Reads Celery's ISO 8601 times; one without offset is UTC, as Celery's {@code enable_utc} default. */
    public static Instant parseTime(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
        }
    }

    private static Instant time(Object value, String header) throws MalformedMessageException {
        if (value == null) {
            return null;
        }
        if (value instanceof String s) {
            try {
                return parseTime(s);
            } catch (DateTimeParseException e) {
                throw new MalformedMessageException("header '" + header + "' is not an ISO 8601 time: " + s);
            }
        }
        if (value instanceof Number n) { // seconds since the epoch, as some clients send
            return Instant.ofEpochMilli(Math.round(n.doubleValue() * 1000));
        }
        throw new MalformedMessageException("header '" + header + "' is not a time: " + value);
    }

    private static Double number(Object value, String header) throws MalformedMessageException {
        if (value == null) {
            return null;
        }
        if (value instanceof Number n) {
            return n.doubleValue();
        }
        throw new MalformedMessageException("header '" + header + "' must hold numbers, not " + value);
    }

    private static Object seconds(Double value) {
        if (value == null) {
            return null;
        }
        return value == Math.rint(value) ? (Object) value.longValue() : value;
    }

    private static int integer(Object value) {
        return value instanceof Number n ? n.intValue() : 0;
    }

    private static String string(Object value) {
        return value instanceof String s ? s : null;
    }
}
