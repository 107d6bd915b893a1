package org.celeriac.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.celeriac.spi.events.Event;
import org.celeriac.spi.events.EventSink;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes events on the broker's event exchange ({@code celeryev}) as Celery's workers do, for Celery's
 * {@code celery events}, Flower and {@code celeriac events} to read: JSON, transient, the routing key the type with
 * dots ({@code task.succeeded}), the sender's {@code hostname} header. Task events that come together go as one
 * {@code task.multi} message whose body is their list, as a Celery worker with an event loop buffers them: one
 * publish for many tasks.
 */
public final class BrokerEventSink implements EventSink {
    private static final String JSON = "application/json";
    private static final String UTF8 = "utf-8";
    private static final Map<String, Object> PROPERTIES = Map.of("delivery_mode", 1, "priority", 0);

    private static final Logger LOG = LoggerFactory.getLogger(BrokerEventSink.class);

    private final Transport transport;
    private final String exchange;
    /** Set once the transport said it has no topic exchanges: events are dropped from then on. */
    private volatile boolean unsupported;

    /**
     * @param exchange Celery's {@code event_exchange}, {@code celeryev} by default
     */
    public BrokerEventSink(Transport transport, String exchange) {
        this.transport = transport;
        this.exchange = exchange;
    }

    @Override
    public void emit(Event event) {
        publish(event.type().replace('-', '.'), EventJson.write(event), event.fields().get("hostname"));
    }

    @Override
    public void emitAll(List<Event> events) {
        List<Event> tasks = new ArrayList<>();
        for (Event e : events) {
            if (e.type().startsWith("task-")) {
                tasks.add(e);
            } else {
                flushTasks(tasks);
                emit(e);
            }
        }
        flushTasks(tasks);
    }

    /**
     * An event's JSON, written on the thread that sends it: there its fields are still in that core's cache, while
     * the sink's thread, reading them a few milliseconds later on another core, spent three times as long on each.
     */
    Prepared prepare(Event event) {
        return new Prepared(event.type(), event.fields().get("hostname"), EventJson.write(event));
    }

    /** Publishes events {@link #prepare}d before, as {@link #emitAll} does. */
    void emitPrepared(List<Prepared> events) {
        List<Prepared> tasks = new ArrayList<>();
        for (Prepared e : events) {
            if (e.type().startsWith("task-")) {
                tasks.add(e);
            } else {
                flushPrepared(tasks);
                publish(e.type().replace('-', '.'), e.json(), e.hostname());
            }
        }
        flushPrepared(tasks);
    }

    private void flushPrepared(List<Prepared> tasks) {
        if (tasks.size() == 1) {
            Prepared e = tasks.get(0);
            publish(e.type().replace('-', '.'), e.json(), e.hostname());
        } else if (!tasks.isEmpty()) {
            int length = 1 + tasks.size();
            for (Prepared e : tasks) {
                length += e.json().length;
            }
            byte[] body = new byte[length]; // the objects as one JSON array, as writeAll writes them
            body[0] = '[';
            int at = 1;
            for (Prepared e : tasks) {
                if (at > 1) {
                    body[at++] = ',';
                }
                System.arraycopy(e.json(), 0, body, at, e.json().length);
                at += e.json().length;
            }
            body[at] = ']';
            publish("task.multi", body, tasks.get(0).hostname());
        }
        tasks.clear();
    }

    /** An event as JSON, with what publishing it needs besides. */
    record Prepared(String type, Object hostname, byte[] json) {
    }

    private void flushTasks(List<Event> tasks) {
        if (tasks.size() == 1) {
            emit(tasks.get(0));
        } else if (!tasks.isEmpty()) {
            publish("task.multi", EventJson.writeAll(tasks), tasks.get(0).fields().get("hostname"));
        }
        tasks.clear();
    }

    private void publish(String routingKey, byte[] body, Object hostname) {
        if (unsupported) {
            return;
        }
        try {
            transport.publishTopic(exchange, routingKey, new Message(body, JSON, UTF8,
                    hostname == null ? Map.of() : Map.of("hostname", hostname), PROPERTIES));
        } catch (UnsupportedOperationException e) {
            // a broker without topic exchanges (SQS): said once, not at every heartbeat
            unsupported = true;
            LOG.warn("Events are not sent: {}", e.getMessage());
        }
    }
}
