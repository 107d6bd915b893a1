package org.celeriac.events;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.celeriac.spi.events.Event;
import org.celeriac.spi.serializer.Serializer;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the event stream from the broker, Celery's workers' and Celeriac's alike: each message body is one event, or
 * a list of them ({@code task.multi}). What cannot be read is skipped; the stream goes on.
 */
public final class EventReceiver {
    private static final Logger LOG = LoggerFactory.getLogger(EventReceiver.class);

    private EventReceiver() {
    }

    /**
     * Receives, on a transport thread, the events published from now on whose routing key matches {@code pattern}
     * ({@code #} for all), and moves {@code clock} past theirs.
     */
    public static Subscription listen(Transport transport, String exchange, String pattern, Serializer json,
                                      LamportClock clock, Consumer<Event> listener) {
        return listen(transport, exchange, pattern, List.of(json), clock, listener);
    }

    /**
     * As above, reading each message with the serializer of its content type among {@code accept}, the first for any
     * other: as Celery's receiver accepts JSON and {@code event_serializer}, signed events of a Celery worker with
     * {@code event_serializer='auth'} are read, once verified, beside unsigned ones.
     */
    public static Subscription listen(Transport transport, String exchange, String pattern, List<Serializer> accept,
                                      LamportClock clock, Consumer<Event> listener) {
        return transport.subscribeTopic(exchange, pattern, m -> {
            for (Event e : decode(m, accept)) {
                if (e.fields().get("clock") instanceof Number n) {
                    clock.adjust(n.longValue());
                }
                listener.accept(e);
            }
        });
    }

    /** The events a message holds; none when it is not an event message. */
    static List<Event> decode(Message m, Serializer json) {
        return decode(m, List.of(json));
    }

    private static List<Event> decode(Message m, List<Serializer> accept) {
        Serializer serializer = accept.stream().filter(s -> s.contentType().equals(m.contentType())).findFirst()
                .orElse(accept.get(0));
        Object body;
        try {
            body = serializer.decode(m.body());
        } catch (RuntimeException e) {
            LOG.debug("Skipping an event message that is not {}: {}", serializer.name(), e.getMessage());
            return List.of();
        }
        if (body instanceof List<?> list) {
            return list.stream().map(EventReceiver::event).filter(e -> e != null).toList();
        }
        Event e = event(body);
        return e == null ? List.of() : List.of(e);
    }

    @SuppressWarnings("unchecked")
    private static Event event(Object body) {
        if (body instanceof Map<?, ?> map && map.get("type") instanceof String type) {
            return new Event(type, (Map<String, Object>) map);
        }
        return null;
    }
}
