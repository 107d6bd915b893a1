package org.celeriac.cli;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import org.celeriac.spi.events.Event;

/**
 * One line per event: as Celery's {@code celery events --dump} writes them
 * ({@code w1@host [2026-12-07 03:00:00.123456] task succeeded: demo.add(id) args=[2, 3] kwargs={} result=5,
 * runtime=0.001}), remembering each task's name from its {@code task-received} or {@code task-sent}.
 */
final class EventLines {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS")
            .withZone(ZoneOffset.UTC);
    /** Celery's dumper names the worker events so. */
    private static final Map<String, String> HUMAN_TYPES = Map.of("worker-offline", "shutdown",
            "worker-online", "started", "worker-heartbeat", "heartbeat");
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("HH:mm:ss.SSS")
            .withZone(java.time.ZoneId.systemDefault());
    /** Bounded: a long-running dump must not keep every task it ever saw. */
    private final Map<String, String> taskNames = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
            return size() > 10_000;
        }
    };

    /**
     * The default, shorter line: local time, node, type, the task as {@code name[id]}, the other fields:
     * {@code 03:00:00.123 w1@host task-succeeded demo.add[id] result=5 runtime=0.001}.
     */
    String line(Event event) {
        Map<String, Object> f = new TreeMap<>(event.fields());
        Object ts = f.remove("timestamp");
        f.remove("type");
        for (String noise : java.util.List.of("clock", "pid", "utcoffset", "sw_ident", "sw_ver", "sw_sys")) {
            f.remove(noise);
        }
        StringBuilder line = new StringBuilder().append(ts instanceof Number n ? LOCAL.format(instant(n.doubleValue()))
                : "?").append(' ').append(f.remove("hostname")).append(' ').append(event.type());
        if (event.type().startsWith("task-") && f.get("uuid") instanceof String uuid) {
            f.remove("uuid");
            if (f.get("name") instanceof String name) {
                taskNames.put(uuid, name);
                f.remove("name");
            }
            line.append(' ').append(taskNames.getOrDefault(uuid, "?")).append('[').append(uuid).append(']');
        }
        for (Map.Entry<String, Object> e : f.entrySet()) {
            if (e.getValue() != null) {
                line.append(' ').append(e.getKey()).append('=').append(python(e.getValue()));
            }
        }
        return line.toString();
    }

    String dump(Event event) {
        Map<String, Object> f = new TreeMap<>(event.fields());
        Object ts = f.remove("timestamp");
        String type = event.type().toLowerCase(java.util.Locale.ROOT);
        f.remove("type");
        Object hostname = f.remove("hostname");
        String when = ts instanceof Number n ? TIME.format(instant(n.doubleValue())) : String.valueOf(ts);
        StringBuilder line = new StringBuilder().append(hostname).append(" [").append(when).append("] ")
                .append(HUMAN_TYPES.getOrDefault(type, type.replace('-', ' ')));
        String task = null;
        if (type.startsWith("task-")) {
            String uuid = String.valueOf(f.remove("uuid"));
            if (type.equals("task-received") || type.equals("task-sent")) {
                task = f.remove("name") + "(" + uuid + ") args=" + f.remove("args") + " kwargs=" + f.remove("kwargs");
                taskNames.put(uuid, task);
            } else {
                task = taskNames.getOrDefault(uuid, "");
            }
        }
        StringBuilder fields = new StringBuilder();
        for (Map.Entry<String, Object> e : f.entrySet()) {
            fields.append(fields.length() == 0 ? "" : ", ").append(e.getKey()).append('=').append(python(e.getValue()));
        }
        // As Celery's Dumper: "TYPE: TASK FIELDS" for tasks, "TYPE: FIELDS" otherwise; the colon only with fields.
        line.append(fields.length() > 0 ? ":" : "");
        if (task != null) {
            line.append(' ').append(task);
        }
        line.append(' ').append(fields);
        return line.toString();
    }

    private static Instant instant(double epochSeconds) {
        long seconds = (long) Math.floor(epochSeconds);
        return Instant.ofEpochSecond(seconds, Math.round((epochSeconds - seconds) * 1e6) * 1000);
    }

    /** Python's {@code str()} of the JSON values events carry: None, True, False. */
    private static String python(Object v) {
        if (v == null) {
            return "None";
        }
        if (v instanceof Boolean b) {
            return b ? "True" : "False";
        }
        return String.valueOf(v);
    }
}
