package org.celeriac.events;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.celeriac.json.JsonSerializer;
import org.celeriac.spi.events.Event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Events as Celery's JSON, written field by field onto one generator. A busy worker sends a few events per task, tens
 * of thousands a second: going through a mapper's map serializer, which looks up a serializer for every value, cost
 * the worker as much as running the tasks. The plain values events carry are written directly; anything else goes to
 * the kernel's mapper.
 */
final class EventJson {
    private static final ObjectMapper MAPPER = JsonSerializer.newMapper();

    private EventJson() {
    }

    /** One event's fields as a JSON object. */
    static byte[] write(Event event) {
        ByteArrayBuilder out = new ByteArrayBuilder(512);
        try (JsonGenerator g = MAPPER.createGenerator(out)) {
            writeMap(g, event.fields());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write event " + event.type() + " as JSON: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    /** Several events' fields as a JSON array of objects: the body of Celery's {@code task.multi}. */
    static byte[] writeAll(List<Event> events) {
        ByteArrayBuilder out = new ByteArrayBuilder(400 * events.size());
        try (JsonGenerator g = MAPPER.createGenerator(out)) {
            g.writeStartArray();
            for (Event e : events) {
                writeMap(g, e.fields());
            }
            g.writeEndArray();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write events as JSON: " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    private static void writeMap(JsonGenerator g, Map<?, ?> map) throws IOException {
        g.writeStartObject();
        for (Map.Entry<?, ?> f : map.entrySet()) {
            g.writeFieldName(String.valueOf(f.getKey()));
            writeValue(g, f.getValue());
        }
        g.writeEndObject();
    }

    /**
     * A timestamp (every event has one, seconds since the epoch to the microsecond, as {@link EventDispatcher#now})
     * written by hand as its shortest decimal, which for those is its six decimals without trailing zeros; the
     * generator's general double writer cost the event thread more than any other field. Other doubles go to it.
     */
    static void writeDouble(JsonGenerator g, double d) throws IOException {
        if (d > 1e9 && d < 1e10) {
            long micros = Math.round(d * 1e6);
            long seconds = micros / 1_000_000;
            int fraction = (int) (micros % 1_000_000);
            if (seconds + fraction / 1e6 == d) {
                g.writeNumber(timestampText(seconds, fraction));
                return;
            }
        }
        g.writeNumber(d);
    }

    /** {@code seconds.fraction} with the fraction's trailing zeros dropped, one digit kept: as Python prints it. */
    static String timestampText(long seconds, int micros) {
        char[] c = new char[10 + 1 + 6];
        int n = 0;
        String s = Long.toString(seconds);
        for (int i = 0; i < s.length(); i++) {
            c[n++] = s.charAt(i);
        }
        c[n++] = '.';
        int digits = 6;
        while (digits > 1 && micros % 10 == 0) {
            micros /= 10;
            digits--;
        }
        for (int i = n + digits - 1; i >= n; i--) {
            c[i] = (char) ('0' + micros % 10);
            micros /= 10;
        }
        return new String(c, 0, n + digits);
    }

    private static void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            g.writeNumber(((Number) v).longValue());
        } else if (v instanceof Double d) {
            writeDouble(g, d);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof Map<?, ?> m) {
            writeMap(g, m);
        } else if (v instanceof Collection<?> c) {
            g.writeStartArray();
            for (Object o : c) {
                writeValue(g, o);
            }
            g.writeEndArray();
        } else {
            MAPPER.writeValue(g, v);
        }
    }
}
