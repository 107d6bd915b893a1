package org.celeriac.monitor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One worker as Celery's {@code events.state.Worker} knows it from its heartbeats: alive while its last heartbeat is
 * younger than twice its heartbeat interval ({@code freq}). Guarded by the {@link ClusterState} that holds it.
 */
final class WorkerView {
    /** Celery keeps the last few heartbeats' times. */
    private static final int HEARTBEATS = 4;
    /** Celery's {@code HEARTBEAT_EXPIRE_WINDOW}: 200 % of the interval. */
    private static final double EXPIRE_WINDOW = 2.0;

    private final String hostname;
    private final Deque<Double> heartbeats = new ArrayDeque<>();
    private final Map<String, Object> last = new LinkedHashMap<>();
    private double freq = 60;
    private boolean offline;

    WorkerView(String hostname) {
        this.hostname = hostname;
    }

    /** A worker as {@link #persisted()} kept it. */
    static WorkerView restored(Map<String, Object> kept) {
        WorkerView w = new WorkerView((String) kept.get("hostname"));
        if (kept.get("last") instanceof Map<?, ?> last) {
            last.forEach((k, v) -> w.last.put(String.valueOf(k), v));
        }
        if (kept.get("heartbeats") instanceof List<?> beats) {
            beats.forEach(b -> w.heartbeats.addLast(((Number) b).doubleValue()));
        }
        w.freq = kept.get("freq") instanceof Number f ? f.doubleValue() : w.freq;
        w.offline = Boolean.TRUE.equals(kept.get("offline"));
        return w;
    }

    /** What it knows, for persistence: JSON-like values. */
    Map<String, Object> persisted() {
        Map<String, Object> kept = new LinkedHashMap<>();
        kept.put("hostname", hostname);
        kept.put("last", new LinkedHashMap<>(last));
        kept.put("heartbeats", new ArrayList<>(heartbeats));
        kept.put("freq", freq);
        kept.put("offline", offline);
        return kept;
    }

    String hostname() {
        return hostname;
    }

    /** A {@code worker-online}, {@code worker-heartbeat} or {@code worker-offline} event. */
    void apply(String type, double eventTime, Map<String, Object> event) {
        last.putAll(event);
        if (event.get("freq") instanceof Number f && f.doubleValue() > 0) {
            freq = f.doubleValue();
        }
        if ("worker-offline".equals(type)) {
            offline = true;
            heartbeats.clear();
            return;
        }
        offline = false;
        heartbeats.addLast(eventTime);
        while (heartbeats.size() > HEARTBEATS) {
            heartbeats.removeFirst();
        }
    }

    /** Celery's {@code Worker.alive}, at {@code now} (seconds since the epoch). */
    boolean alive(double now) {
        return !offline && !heartbeats.isEmpty() && now < heartbeats.peekLast() + freq * EXPIRE_WINDOW;
    }

    /** Seconds since its last heartbeat, or null when none came. */
    Double heartbeatAge(double now) {
        return heartbeats.isEmpty() ? null : now - heartbeats.peekLast();
    }

    /** Celery's {@code Worker._fields} as {@code as_dict} writes them, with whether it is alive. */
    Map<String, Object> asDict(double now) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("hostname", hostname);
        d.put("pid", last.get("pid"));
        d.put("freq", freq);
        d.put("heartbeats", new ArrayList<>(heartbeats));
        d.put("clock", last.get("clock"));
        d.put("active", last.get("active"));
        d.put("processed", last.get("processed"));
        d.put("loadavg", last.get("loadavg"));
        d.put("sw_ident", last.get("sw_ident"));
        d.put("sw_ver", last.get("sw_ver"));
        d.put("sw_sys", last.get("sw_sys"));
        d.put("alive", alive(now));
        return d;
    }

    List<Double> heartbeats() {
        return List.copyOf(heartbeats);
    }
}
