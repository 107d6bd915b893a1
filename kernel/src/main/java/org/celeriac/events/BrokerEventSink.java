package org.celeriac.events;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.celeriac.spi.events.Event;
import org.celeriac.spi.events.EventSink;
import org.celeriac.spi.serializer.Serializer;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;

/**
 * Publishes events on the broker's event exchange ({@code celeryev}) as Celery's workers do, for Celery's
 * {@code celery events}, Flower and {@code celeriac events} to read: JSON, transient, the routing key the type with
 * dots ({@code task.succeeded}), the sender's {@code hostname} header. Task events that come together go as one
 * {@code task.multi} message whose body is their list, as a Celery worker with an event loop buffers them: one
 * publish for many tasks.
 */
public final class BrokerEventSink implements EventSink {
    private final Transport transport;
    private final Serializer json;
    private final String exchange;

    /**
     * @param exchange Celery's {@code event_exchange}, {@code celeryev} by default
     */
    public BrokerEventSink(Transport transport, Serializer json, String exchange) {
        this.transport = transport;
        this.json = json;
        this.exchange = exchange;
    }

    @Override
    public void emit(Event event) {
        publish(event.type().replace('-', '.'), event.fields(), event);
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

    private void flushTasks(List<Event> tasks) {
        if (tasks.size() == 1) {
            emit(tasks.get(0));
        } else if (!tasks.isEmpty()) {
            List<Map<String, Object>> bodies = new ArrayList<>(tasks.size());
            for (Event e : tasks) {
                bodies.add(e.fields());
            }
            publish("task.multi", bodies, tasks.get(0));
        }
        tasks.clear();
    }

    private void publish(String routingKey, Object body, Event sample) {
        Object hostname = sample.fields().get("hostname");
        transport.publishTopic(exchange, routingKey, new Message(json.encode(body), json.contentType(),
                json.contentEncoding(), hostname == null ? Map.of() : Map.of("hostname", hostname),
                Map.of("delivery_mode", 1, "priority", 0)));
    }
}
