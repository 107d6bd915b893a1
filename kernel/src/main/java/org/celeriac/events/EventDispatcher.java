package org.celeriac.events;

import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

import org.celeriac.spi.events.Event;
import org.celeriac.spi.events.EventFields;
import org.celeriac.spi.events.EventSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stamps events as Celery's {@code EventDispatcher} does ({@code hostname}, {@code utcoffset}, {@code pid},
 * {@code clock}, {@code timestamp}, {@code type}) and hands each to every sink, on that sink's own bounded buffer
 * and thread: sending never blocks the caller, and what a full buffer cannot take is dropped and counted.
 *
 * <p>Events come in groups named by the type's first word. As in Celery, the {@code worker} group (online, heartbeat,
 * offline) is always sent, and the {@code task} group only once enabled ({@code -E}, {@code worker_send_task_events},
 * or the {@code enable_events} control command).
 */
public final class EventDispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);
    /** Events one sink may fall behind by before its events are dropped. */
    public static final int DEFAULT_BUFFER = 10_000;

    private final String hostname;
    private final long pid = ProcessHandle.current().pid();
    private final LamportClock clock;
    private final int capacity;
    private final List<Outlet> outlets = new CopyOnWriteArrayList<>();
    private volatile boolean taskEvents;
    /** Names and values {@link #stamp} puts first. */
    private static final int STAMPS = 10;
    private static final long UTCOFFSET_REFRESH_NANOS = 60_000_000_000L;
    private volatile int utcoffset;
    private volatile long utcoffsetAt = System.nanoTime() - 2 * UTCOFFSET_REFRESH_NANOS;

    public EventDispatcher(String hostname, LamportClock clock, boolean taskEvents) {
        this(hostname, clock, taskEvents, DEFAULT_BUFFER);
    }

    public EventDispatcher(String hostname, LamportClock clock, boolean taskEvents, int capacity) {
        this.hostname = hostname;
        this.clock = clock;
        this.taskEvents = taskEvents;
        this.capacity = capacity;
    }

    public String hostname() {
        return hostname;
    }

    public LamportClock clock() {
        return clock;
    }

    /** Adds a sink, which receives the events sent from now on. */
    public void addSink(EventSink sink) {
        outlets.add(new Outlet(sink, capacity, "celeriac-events-" + sink.getClass().getSimpleName(), () -> true));
    }

    /**
     * Adds the sinks a catalog holds as they come and go (the task packages' in a container): each batch goes to
     * those there then. They share one buffer, so a slow one delays the others of them, never the worker or the
     * sinks added one by one. Events are not even buffered while there is none.
     */
    public void addSinks(Supplier<List<EventSink>> sinks) {
        EventSink each = new EventSink() {
            @Override
            public void emit(Event event) {
                emitAll(List.of(event));
            }

            @Override
            public void emitAll(List<Event> events) {
                for (EventSink s : sinks.get()) {
                    try {
                        s.emitAll(events);
                    } catch (RuntimeException e) {
                        LOG.warn("Event sink {} failed; {} event(s) lost to it: {}", s.getClass().getName(),
                                events.size(), e.toString());
                    }
                }
            }
        };
        outlets.add(new Outlet(each, capacity, "celeriac-events-plugins", () -> !sinks.get().isEmpty()));
    }

    /** Removes a sink, after handing it what is buffered for it (waiting a few seconds at most). */
    public void removeSink(EventSink sink) {
        for (Outlet o : outlets) {
            if (o.sink() == sink && outlets.remove(o)) {
                o.close(5_000);
            }
        }
    }

    /** Whether events of this type are sent now: callers skip building the fields of those that are not. */
    public boolean sends(String type) {
        return !outlets.isEmpty() && (!type.startsWith("task-") || taskEvents);
    }

    public boolean taskEvents() {
        return taskEvents;
    }

    /** Turns the {@code task} group on or off; returns whether that changed anything. */
    public boolean taskEvents(boolean on) {
        boolean was = taskEvents;
        taskEvents = on;
        return was != on;
    }

    /** Sends an event of this type with these fields, if its group is on. */
    public void send(String type, Map<String, Object> fields) {
        if (!sends(type)) {
            return;
        }
        Object[] event = new Object[STAMPS + 2 * fields.size() + 2];
        int i = stamp(event);
        for (Map.Entry<String, Object> f : fields.entrySet()) {
            event[i++] = f.getKey();
            event[i++] = f.getValue();
        }
        offer(type, event);
    }

    /**
     * Sends an event of this type with these fields, given as name, value, name, value...: for the worker's hot path,
     * which builds no map of its own.
     */
    public void send(String type, Object... namesAndValues) {
        if (!sends(type)) {
            return;
        }
        Object[] event = new Object[STAMPS + namesAndValues.length + 2];
        int i = stamp(event);
        System.arraycopy(namesAndValues, 0, event, i, namesAndValues.length);
        offer(type, event);
    }

    /**
     * Puts what every event carries first, as Celery's are ordered; a {@code timestamp} among the fields given
     * replaces the one stamped here.
     */
    private int stamp(Object[] event) {
        event[0] = "hostname";
        event[1] = hostname;
        event[2] = "utcoffset";
        event[3] = utcoffset();
        event[4] = "pid";
        event[5] = pid;
        event[6] = "clock";
        event[7] = clock.forward();
        event[8] = "timestamp";
        event[9] = now();
        return STAMPS;
    }

    private void offer(String type, Object[] event) {
        event[event.length - 2] = "type";
        event[event.length - 1] = type;
        Event e = new Event(type, EventFields.of(event));
        for (Outlet o : outlets) {
            if (o.wanted()) {
                o.offer(e);
            }
        }
    }

    /** Events dropped so far because a sink fell behind or failed, over every sink. */
    public long dropped() {
        long n = 0;
        for (Outlet o : outlets) {
            n += o.dropped();
        }
        return n;
    }

    /** Hands every sink what is buffered for it (a few seconds at most), then stops their threads. */
    @Override
    public void close() {
        for (Outlet o : outlets) {
            outlets.remove(o);
            o.close(5_000);
        }
    }

    /**
     * Seconds since the epoch, as Python's {@code time.time()}, to the microsecond: a double holds no more at this
     * magnitude, and the event JSON writes such a value by hand ({@link EventJson#writeDouble}).
     */
    public static double now() {
        Instant t = Instant.now();
        return t.getEpochSecond() + (t.getNano() / 1000) / 1e6;
    }

    /**
     * Celery's {@code utcoffset()}: hours west of UTC, rounded down, as Python's {@code time.timezone // 3600}. Looked
     * up once a minute, not per event: the zone's rules are not free to consult, and the offset changes twice a year.
     */
    private int utcoffset() {
        long now = System.nanoTime();
        if (now - utcoffsetAt > UTCOFFSET_REFRESH_NANOS) {
            int east = ZoneId.systemDefault().getRules().getOffset(Instant.now()).getTotalSeconds();
            utcoffset = Math.floorDiv(-east, 3600);
            utcoffsetAt = now;
        }
        return utcoffset;
    }
}
