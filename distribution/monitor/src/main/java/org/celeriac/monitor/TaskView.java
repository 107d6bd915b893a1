package org.celeriac.monitor;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One task as Celery's {@code events.state.Task} knows it from its events: the fields of each event merged in, the
 * state moving forward only (a late {@code task-received} after {@code task-succeeded} adds its arguments, not its
 * state). Guarded by the {@link ClusterState} that holds it.
 */
final class TaskView {
    /** Celery's {@code Task._fields}, the keys of {@code as_dict} and so of Flower's task JSON, in that order. */
    static final String[] FIELDS = {"uuid", "name", "state", "received", "sent", "started", "rejected", "succeeded",
        "failed", "retried", "revoked", "args", "kwargs", "eta", "expires", "retries", "worker", "result",
        "exception", "timestamp", "runtime", "traceback", "exchange", "routing_key", "clock", "client", "root",
        "root_id", "parent", "parent_id", "children"};
    /** What an event of a state earlier than the task's present one may still add: Celery's {@code merge_rules}. */
    private static final Set<String> RECEIVED_MERGES = Set.of("name", "args", "kwargs", "parent_id", "root_id",
            "retries", "eta", "expires");
    /** The event fields that are the event's, not the task's. */
    private static final Set<String> EVENT_ONLY = Set.of("type", "hostname", "pid", "utcoffset", "local_received");

    private final Map<String, Object> fields = new LinkedHashMap<>();
    /** The ids of the tasks heard of whose parent this is, as Celery's {@code Task.children}. */
    private final Set<String> children = new LinkedHashSet<>();
    /** When it was first heard of, for ordering: Celery's {@code tasks_by_timestamp} uses the latest event. */
    double timestamp;
    /**
     * The latest of its events by Celery's {@code timetuple} (logical clock, then the sender, then the time), by
     * which Celery's {@code tasks_by_timestamp}, and so Flower's task list, orders tasks newest first.
     */
    static final Comparator<TaskView> BY_LATEST_EVENT = Comparator.comparingLong((TaskView t) -> t.latestClock)
            .thenComparing(t -> t.latestOrigin).thenComparingDouble(t -> t.latestTime);
    private long latestClock = Long.MIN_VALUE;
    private String latestOrigin = "";
    private double latestTime;

    TaskView(String uuid) {
        fields.put("uuid", uuid);
        fields.put("state", "PENDING");
        fields.put("clock", 0); // Celery's Task defaults: clock 0, retries unknown (null) until an event says
    }

    void addChild(String uuid) {
        children.add(uuid);
    }

    String parentId() {
        return fields.get("parent_id") instanceof String p ? p : null;
    }

    /** A task as {@link #fields()} kept it. */
    static TaskView restored(Map<String, Object> fields) {
        TaskView t = new TaskView((String) fields.get("uuid"));
        t.fields.putAll(fields);
        t.timestamp = fields.get("timestamp") instanceof Number n ? n.doubleValue() : 0;
        // its place in Celery's order, as far as the kept fields tell it
        t.latestClock = fields.get("clock") instanceof Number c ? c.longValue() : 0;
        t.latestOrigin = fields.get("worker") instanceof String w ? w : "";
        t.latestTime = t.timestamp;
        return t;
    }

    /** Everything known of it, for persistence: a copy. */
    Map<String, Object> fields() {
        return new LinkedHashMap<>(fields);
    }

    String uuid() {
        return (String) fields.get("uuid");
    }

    String name() {
        return (String) fields.get("name");
    }

    String state() {
        return (String) fields.get("state");
    }

    String worker() {
        return (String) fields.get("worker");
    }

    Object get(String field) {
        return fields.get(field);
    }

    /**
     * Merges a task event: {@code task-received} sets {@code received} to its timestamp and the state to RECEIVED,
     * unless the task is further on already: then only its arguments and lineage are taken (an earlier event of
     * another kind adds its fields), and the state stays.
     */
    void apply(String type, double eventTime, String hostname, Map<String, Object> event) {
        long clock = event.get("clock") instanceof Number c ? c.longValue() : 0;
        String origin = hostname == null ? "" : hostname;
        int later = Long.compare(clock, latestClock);
        later = later != 0 ? later : origin.compareTo(latestOrigin);
        if (later > 0 || later == 0 && eventTime > latestTime) {
            latestClock = clock;
            latestOrigin = origin;
            latestTime = eventTime;
        }
        String kind = type.substring("task-".length());
        String state = stateOf(kind);
        if (state != null) {
            fields.put(kind, eventTime);
        } else {
            state = kind.toUpperCase(java.util.Locale.ROOT);
        }
        boolean earlier = !"RETRY".equals(state) && !"RETRY".equals(state())
                && precedence(state) > precedence(state());
        for (Map.Entry<String, Object> f : event.entrySet()) {
            String key = f.getKey();
            if (EVENT_ONLY.contains(key) || "uuid".equals(key) || "timestamp".equals(key)) {
                continue;
            }
            if (!earlier || !"RECEIVED".equals(state) || RECEIVED_MERGES.contains(key)) {
                fields.put(key, f.getValue());
            }
        }
        if (!earlier) {
            fields.put("state", state);
            fields.put("timestamp", eventTime);
            timestamp = eventTime;
        }
        if (hostname != null && !"task-sent".equals(type)) {
            fields.put("worker", hostname);
        } else if (hostname != null) {
            fields.put("client", hostname); // a task-sent event comes from the client that sent the task
        }
    }

    /** Flower's task JSON: every one of Celery's fields, null where unknown, {@code root} and {@code parent} as ids. */
    Map<String, Object> asDict() {
        Map<String, Object> d = new LinkedHashMap<>();
        for (String f : FIELDS) {
            d.put(f, fields.get(f));
        }
        d.put("root", fields.get("root_id"));
        d.put("parent", fields.get("parent_id"));
        d.put("children", List.copyOf(children));
        if (d.get("children") == null) {
            d.put("children", java.util.List.of());
        }
        return d;
    }

    /** Celery's {@code TASK_EVENT_TO_STATE}. */
    private static String stateOf(String kind) {
        switch (kind) {
            case "sent": return "PENDING";
            case "received": return "RECEIVED";
            case "started": return "STARTED";
            case "failed": return "FAILURE";
            case "retried": return "RETRY";
            case "succeeded": return "SUCCESS";
            case "revoked": return "REVOKED";
            case "rejected": return "REJECTED";
            default: return null;
        }
    }

    /** Celery's {@code states.precedence}: a smaller number is a later state; unknown states rank after FAILURE. */
    private static int precedence(String state) {
        switch (state) {
            case "SUCCESS": return 0;
            case "FAILURE": return 1;
            case "REVOKED": return 3;
            case "STARTED": return 4;
            case "RECEIVED": return 5;
            case "REJECTED": return 6;
            case "RETRY": return 7;
            case "PENDING": return 8;
            default: return 2;
        }
    }
}
