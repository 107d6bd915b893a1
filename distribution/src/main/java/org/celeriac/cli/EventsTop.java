package org.celeriac.cli;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.celeriac.spi.events.Event;

/**
 * What {@code celeriac events --top} shows, built from the event stream: each worker with its state, load and
 * counts; tasks finished per second; the latest tasks with their state. Fed from a transport thread, drawn from
 * another: its methods are synchronized.
 */
final class EventsTop {
    private static final int LATEST = 15;
    /** Celery's monitors take a worker for offline when no heartbeat came for this long (2 s x 2 + slack). */
    private static final double HEARTBEAT_EXPIRY_SECONDS = 5.0 * 2;
    private static final double RATE_WINDOW_SECONDS = 5.0;

    private record WorkerState(double lastSeen, boolean online, Object active, Object processed, Object loadavg,
                               String software) {
    }

    private static final class TaskState {
        String name = "";
        String state = "";
        String worker = "";
        Object runtime;
    }

    private final Map<String, WorkerState> workers = new TreeMap<>();
    private final Map<String, TaskState> tasks = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TaskState> eldest) {
            return size() > 1_000;
        }
    };
    private final Deque<Double> finished = new ArrayDeque<>();
    private long events;

    synchronized void add(Event e) {
        events++;
        Map<String, Object> f = e.fields();
        String host = String.valueOf(f.get("hostname"));
        double ts = f.get("timestamp") instanceof Number n ? n.doubleValue() : System.currentTimeMillis() / 1000.0;
        if (e.type().startsWith("worker-")) {
            workers.put(host, new WorkerState(ts, !e.type().equals("worker-offline"), f.get("active"),
                    f.get("processed"), f.get("loadavg"), f.get("sw_ident") + " " + f.get("sw_ver")));
            return;
        }
        if (!e.type().startsWith("task-") || !(f.get("uuid") instanceof String uuid)) {
            return;
        }
        TaskState t = tasks.computeIfAbsent(uuid, k -> new TaskState());
        if (f.get("name") instanceof String name) {
            t.name = name;
        }
        t.state = switch (e.type()) {
            case "task-sent" -> "PENDING";
            case "task-received" -> "RECEIVED";
            case "task-started" -> "STARTED";
            case "task-succeeded" -> "SUCCESS";
            case "task-failed" -> "FAILURE";
            case "task-retried" -> "RETRY";
            case "task-revoked" -> "REVOKED";
            case "task-rejected" -> "REJECTED";
            default -> t.state;
        };
        if (!e.type().equals("task-sent")) {
            t.worker = host;
        }
        if (f.containsKey("runtime")) {
            t.runtime = f.get("runtime");
        }
        if (e.type().equals("task-succeeded") || e.type().equals("task-failed")) {
            finished.addLast(ts);
        }
    }

    /** The screen, as lines, at time {@code now} (seconds since the epoch). */
    synchronized List<String> render(double now, String broker) {
        while (!finished.isEmpty() && finished.peekFirst() < now - RATE_WINDOW_SECONDS) {
            finished.removeFirst();
        }
        List<String> lines = new ArrayList<>();
        lines.add("celeriac events --top   broker " + broker + "   " + events + " events   "
                + String.format(java.util.Locale.ROOT, "%.1f", finished.size() / RATE_WINDOW_SECONDS)
                + " tasks/s (last " + (int) RATE_WINDOW_SECONDS + " s)   Ctrl-C quits");
        lines.add("");
        lines.add(String.format("%-36s %-8s %7s %10s  %-18s %s", "WORKER", "STATE", "ACTIVE", "PROCESSED", "LOAD",
                "SOFTWARE"));
        if (workers.isEmpty()) {
            lines.add("  (no worker seen yet: workers send a heartbeat every 2 s)");
        }
        for (Map.Entry<String, WorkerState> w : workers.entrySet()) {
            WorkerState s = w.getValue();
            boolean alive = s.online() && now - s.lastSeen() < HEARTBEAT_EXPIRY_SECONDS;
            lines.add(String.format("%-36s %-8s %7s %10s  %-18s %s", w.getKey(), alive ? "ONLINE" : "OFFLINE",
                    s.active(), s.processed(), s.loadavg(), s.software()));
        }
        lines.add("");
        lines.add(String.format("%-36s %-24s %-9s %-28s %s", "TASK", "NAME", "STATE", "WORKER", "RUNTIME"));
        List<Map.Entry<String, TaskState>> latest = new ArrayList<>(tasks.entrySet());
        for (int i = latest.size() - 1, shown = 0; i >= 0 && shown < LATEST; i--, shown++) {
            TaskState t = latest.get(i).getValue();
            lines.add(String.format("%-36s %-24s %-9s %-28s %s", latest.get(i).getKey(), t.name, t.state, t.worker,
                    t.runtime instanceof Number n ? String.format(java.util.Locale.ROOT, "%.4f s", n.doubleValue())
                            : ""));
        }
        return lines;
    }

    static Duration redrawEvery() {
        return Duration.ofSeconds(1);
    }
}
