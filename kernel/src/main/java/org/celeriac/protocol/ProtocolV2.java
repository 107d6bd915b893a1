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
    /**
     * The times a Celery client can send, Python's datetime range: a time beyond them is no time, and one far enough
     * overflows the milliseconds the worker counts in.
     */
    private static final Instant MIN_TIME = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant MAX_TIME = Instant.parse("9999-12-31T23:59:59.999999Z");
    /** How much of a bad value an error message shows. */
    private static final int SHOWN = 200;

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
        Object timelimit = h.get("timelimit");
        if (timelimit instanceof List<?> limits && limits.size() == 2) {
            hard = timeLimit(limits.get(0));
            soft = timeLimit(limits.get(1));
        } else if (timelimit != null) {
            throw new MalformedMessageException("header 'timelimit' must be [hard, soft], not " + show(timelimit));
        }
        Map<String, Object> p = m.properties();
        return new TaskMessage((String) id, (String) task, (List<Object>) parts.get(0),
                (Map<String, Object>) parts.get(1), embed, retries(h.get("retries")),
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
        Instant t;
        if (value instanceof String s) {
            try {
                t = parseTime(s);
            } catch (DateTimeParseException e) {
                throw new MalformedMessageException("header '" + header + "' is not an ISO 8601 time: " + show(s));
            }
        } else if (value instanceof Number n) { // seconds since the epoch, as some clients send
            double seconds = n.doubleValue();
            if (!(seconds >= MIN_TIME.getEpochSecond() && seconds <= MAX_TIME.getEpochSecond())) { // NaN too
                throw new MalformedMessageException("header '" + header + "' is out of range: " + show(value));
            }
            t = Instant.ofEpochMilli(Math.round(seconds * 1000));
        } else {
            throw new MalformedMessageException("header '" + header + "' is not a time: " + show(value));
        }
        if (t.isBefore(MIN_TIME) || t.isAfter(MAX_TIME)) {
            throw new MalformedMessageException("header '" + header + "' is out of range: " + show(value));
        }
        return t;
    }

    /** A time limit: none, or seconds, finite and not negative. */
    private static Double timeLimit(Object value) throws MalformedMessageException {
        if (value == null) {
            return null;
        }
        if (value instanceof Number n && Double.isFinite(n.doubleValue()) && n.doubleValue() >= 0) {
            return n.doubleValue();
        }
        throw new MalformedMessageException("header 'timelimit' must hold seconds or None, not " + show(value));
    }

    /** How often the task was retried: an integer, not negative; none for 0. */
    private static int retries(Object value) throws MalformedMessageException {
        if (value == null) {
            return 0;
        }
        if ((value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof java.math.BigInteger) && ((Number) value).longValue() >= 0
                && ((Number) value).longValue() <= Integer.MAX_VALUE
                && !(value instanceof java.math.BigInteger b && b.bitLength() > 31)) {
            return ((Number) value).intValue();
        }
        throw new MalformedMessageException("header 'retries' must be an integer from 0, not " + show(value));
    }

    /** A bad value for an error message: as Python's repr, cut short (a hostile one may be megabytes). */
    private static String show(Object value) {
        String r = value instanceof String s ? Repr.escape(s.length() > SHOWN ? s.substring(0, SHOWN + 1) : s)
                : Repr.of(value);
        return r.length() > SHOWN ? r.substring(0, SHOWN) + "..." : r;
    }

    private static Object seconds(Double value) {
        if (value == null) {
            return null;
        }
        return value == Math.rint(value) ? (Object) value.longValue() : value;
    }

    private static String string(Object value) {
        return value instanceof String s ? s : null;
    }
}
