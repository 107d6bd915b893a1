package org.celeriac.control;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.celeriac.events.LamportClock;
import org.celeriac.spi.serializer.Serializer;
import org.celeriac.spi.transport.Message;

/**
 * kombu's {@code Mailbox} in its wire form, for one namespace (Celery's {@code control_exchange}, {@code celery}):
 * commands go as JSON on the fanout exchange {@code <namespace>.pidbox} with the headers {@code clock} and
 * {@code expires}; replies go as {@code {hostname: reply}} on the direct exchange {@code reply.<namespace>.pidbox}
 * under the caller's oid, with the headers {@code ticket} and {@code clock}. With message signing, both are written
 * and read as {@link ControlSerializers} says.
 */
final class Mailbox {
    private final String exchange;
    private final String replyExchange;
    private final ControlSerializers serializers;
    private final LamportClock clock;

    Mailbox(String namespace, Serializer json, LamportClock clock) {
        this(namespace, ControlSerializers.json(json), clock);
    }

    Mailbox(String namespace, ControlSerializers serializers, LamportClock clock) {
        this.exchange = namespace + ".pidbox";
        this.replyExchange = "reply." + namespace + ".pidbox";
        this.serializers = serializers;
        this.clock = clock;
    }

    String exchange() {
        return exchange;
    }

    String replyExchange() {
        return replyExchange;
    }

    /** The queue kombu names for a caller's replies. */
    String replyQueue(String oid) {
        return oid + "." + replyExchange;
    }

    LamportClock clock() {
        return clock;
    }

    /**
     * A command; {@code expires} in seconds since the epoch, 0 for never (kombu sends the caller's timeout past now,
     * and drops replies that come later).
     */
    Message command(ControlCommand c, double expires) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("method", c.method());
        body.put("arguments", c.arguments());
        body.put("destination", c.destination().isEmpty() ? null : c.destination());
        body.put("pattern", c.pattern());
        body.put("matcher", c.matcher());
        if (c.wantsReply()) {
            body.put("ticket", c.ticket());
            body.put("reply_to", Map.of("exchange", c.replyExchange(), "routing_key", c.replyRoutingKey()));
        }
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("clock", clock.forward());
        headers.put("expires", expires);
        return message(body, headers);
    }

    /**
     * Reads a command, moving the clock past the sender's.
     *
     * @throws IllegalArgumentException when it is not one
     */
    @SuppressWarnings("unchecked")
    ControlCommand read(Message m) {
        Serializer serializer = serializers.forContentType(m.contentType());
        if (serializer == null) {
            throw new IllegalArgumentException("content type " + m.contentType() + " is not accepted (accept_content "
                    + serializers.accept().stream().map(Serializer::name).toList() + ")");
        }
        adjustClock(m);
        // an unsigned or forged command ends here, as Celery's worker refuses it: said, not run
        Object decoded = serializer.decode(m.body());
        if (!(decoded instanceof Map<?, ?> body) || !(body.get("method") instanceof String method)) {
            throw new IllegalArgumentException("not a control command (no method)");
        }
        Object args = body.get("arguments");
        if (args != null && !(args instanceof Map)) {
            throw new IllegalArgumentException("arguments of " + method + " are not a mapping");
        }
        Object destination = body.get("destination");
        List<String> to = destination instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
        String exchange = null;
        String routingKey = null;
        if (body.get("reply_to") instanceof Map<?, ?> replyTo) {
            exchange = replyTo.get("exchange") instanceof String s ? s : null;
            routingKey = replyTo.get("routing_key") instanceof String s ? s : null;
        }
        return new ControlCommand(method, (Map<String, Object>) args, to, stringOrNull(body.get("pattern")),
                stringOrNull(body.get("matcher")), stringOrNull(body.get("ticket")), exchange, routingKey);
    }

    Message reply(String hostname, Object reply, String ticket) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(hostname, reply);
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("ticket", ticket);
        headers.put("clock", clock.forward());
        return message(body, headers);
    }

    /** A reply's ticket and its one {@code hostname: reply} entry, or null when it is not a reply. */
    Reply readReply(Message m) {
        if (!(decode(m) instanceof Map<?, ?> body) || body.size() != 1) {
            return null;
        }
        Map.Entry<?, ?> e = body.entrySet().iterator().next();
        return new Reply(stringOrNull(m.headers().get("ticket")), String.valueOf(e.getKey()), e.getValue());
    }

    /**
     * A reply's body, or null when it cannot be read; moves the clock past the sender's. A reply of a content type
     * not accepted is tried as the first accepted one, as replies were always read as JSON whatever they said.
     */
    private Object decode(Message m) {
        adjustClock(m);
        Serializer serializer = serializers.forContentType(m.contentType());
        try {
            return (serializer == null ? serializers.accept().get(0) : serializer).decode(m.body());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private void adjustClock(Message m) {
        if (m.headers().get("clock") instanceof Number n) {
            clock.adjust(n.longValue());
        }
    }

    private Message message(Map<String, Object> body, Map<String, Object> headers) {
        Serializer send = serializers.send();
        return new Message(send.encode(body), send.contentType(), send.contentEncoding(), headers,
                Map.of("delivery_mode", 1, "priority", 0));
    }

    record Reply(String ticket, String hostname, Object value) {
    }

    private static String stringOrNull(Object o) {
        return o instanceof String s ? s : null;
    }
}
