package org.celeriac.monitor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;

import org.celeriac.spi.events.Event;

/**
 * The cluster as the event stream tells it, as Celery's {@code events.State} (and so Flower) rebuilds it: the workers
 * by their heartbeats, the tasks by their events, at most {@code maxTasks} of them (the oldest heard of go first, as
 * Flower's {@code max_tasks}). Thread-safe: events arrive on a transport thread while pages read.
 */
public final class ClusterState {
    private final int maxTasks;
    private final DoubleSupplier clock;
    private final Map<String, TaskView> tasks = new LinkedHashMap<>();
    private final Map<String, WorkerView> workers = new LinkedHashMap<>();
    private final TreeSet<String> taskTypes = new TreeSet<>();
    /** Children heard of before their parent, by the parent's id. */
    private final Map<String, Set<String>> orphans = new LinkedHashMap<>();
    private final FlowerMetrics metrics = new FlowerMetrics();
    private long events;
    private final List<StateListener> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** @param maxTasks how many tasks to keep, the oldest dropped first (Flower's default is 10,000) */
    public ClusterState(int maxTasks) {
        this(maxTasks, () -> System.currentTimeMillis() / 1000.0);
    }

    /** @param clock seconds since the epoch, now: when an event was received, and whether a worker is alive */
    ClusterState(int maxTasks, DoubleSupplier clock) {
        if (maxTasks < 1) {
            throw new IllegalArgumentException("max_tasks must be at least 1, not " + maxTasks);
        }
        this.maxTasks = maxTasks;
        this.clock = clock;
    }

    /** Takes in one event, Celery's or Celeriac's; events of other kinds are counted and otherwise ignored. */
    public synchronized void apply(Event event) {
        events++;
        String type = event.type();
        Map<String, Object> fields = event.fields();
        double now = clock.getAsDouble();
        String hostname = fields.get("hostname") instanceof String h ? h : null;
        TaskView task = null;
        if (type.startsWith("worker-") && hostname != null) {
            workers.computeIfAbsent(hostname, WorkerView::new).apply(type, now, fields);
        } else if (type.startsWith("task-") && fields.get("uuid") instanceof String uuid) {
            task = tasks.get(uuid);
            if (task == null) {
                task = new TaskView(uuid);
                tasks.put(uuid, task);
                evict();
            }
            double at = fields.get("timestamp") instanceof Number t ? t.doubleValue() : now;
            task.apply(type, at, hostname, fields);
            link(task);
            if (task.name() != null) {
                taskTypes.add(task.name());
            }
            if (hostname != null && !"task-sent".equals(type)) {
                workers.computeIfAbsent(hostname, WorkerView::new);
            }
        }
        metrics.record(type, hostname, fields, task);
        for (StateListener l : listeners) {
            l.applied(event, task == null ? null : task.name());
        }
    }

    /** Tells {@code listener} of every event from now on, after it was applied. */
    public void listen(StateListener listener) {
        listeners.add(listener);
    }

    public void unlisten(StateListener listener) {
        listeners.remove(listener);
    }

    /** The tasks, oldest heard of first, and the workers as they are now: what persistence keeps. */
    synchronized StateSnapshot snapshot() {
        return StateSnapshot.of(tasks.values(), workers.values());
    }

    /** Takes in what a snapshot kept, behind what is known already; the oldest go beyond {@code maxTasks}. */
    synchronized void restore(StateSnapshot snapshot) {
        for (TaskView t : snapshot.taskViews()) {
            if (tasks.putIfAbsent(t.uuid(), t) == null) {
                link(t); // children are not kept: found again by their parent's id
            }
            if (t.name() != null) {
                taskTypes.add(t.name());
            }
        }
        snapshot.workerViews().forEach(w -> workers.putIfAbsent(w.hostname(), w));
        evict();
    }

    /** Flower's Prometheus metrics, in Prometheus' text format. */
    public synchronized String metrics() {
        return metrics.render();
    }

    /**
     * Adds a task to its parent's children, or keeps it until the parent is heard of; takes in the children that
     * came before it (Celery's {@code _tasks_to_resolve}, bounded here as the tasks are).
     */
    private void link(TaskView task) {
        Set<String> early = orphans.remove(task.uuid());
        if (early != null) {
            early.forEach(task::addChild);
        }
        String parent = task.parentId();
        if (parent == null) {
            return;
        }
        TaskView known = tasks.get(parent);
        if (known != null) {
            known.addChild(task.uuid());
        } else {
            orphans.computeIfAbsent(parent, p -> new LinkedHashSet<>()).add(task.uuid());
            Iterator<String> oldest = orphans.keySet().iterator();
            while (orphans.size() > maxTasks && oldest.hasNext()) {
                oldest.next();
                oldest.remove();
            }
        }
    }

    private void evict() {
        Iterator<String> oldest = tasks.keySet().iterator();
        while (tasks.size() > maxTasks && oldest.hasNext()) {
            oldest.next();
            oldest.remove();
        }
    }

    /** How many events came in. */
    public synchronized long eventCount() {
        return events;
    }

    /** The names of the tasks seen, sorted: Flower's {@code task-types}. */
    public synchronized List<String> taskTypes() {
        return List.copyOf(taskTypes);
    }

    /** A task as Flower's {@code /api/task/info} shows it, if it is known. */
    public synchronized Optional<Map<String, Object>> task(String uuid) {
        TaskView t = tasks.get(uuid);
        return t == null ? Optional.empty() : Optional.of(t.asDict());
    }

    /**
     * A query of the tasks, as Flower's {@code /api/tasks} takes it; null criteria match everything.
     *
     * @param receivedStart only tasks received after this (seconds since the epoch), or unknown when received
     * @param receivedEnd   only tasks received before this, or unknown when received
     * @param search        Flower's search terms ({@code result:}, {@code args:}, {@code kwargs:K=V},
     *                      {@code state:}, else any text)
     */
    public record TaskQuery(String name, String state, String worker, String sortBy, int offset, Integer limit,
                            Double receivedStart, Double receivedEnd, String search) {
        public TaskQuery(String name, String state, String worker, String sortBy, int offset, Integer limit) {
            this(name, state, worker, sortBy, offset, limit, null, null, null);
        }

        public static TaskQuery all() {
            return new TaskQuery(null, null, null, null, 0, null);
        }
    }

    /**
     * The tasks that match, newest event first (Flower's order), or sorted by a field ({@code name}, {@code state},
     * {@code received}, {@code started}; a leading {@code -} reverses), then the page asked for.
     */
    public synchronized List<Map<String, Object>> tasks(TaskQuery q) {
        List<TaskView> matching = new ArrayList<>();
        TaskSearch search = TaskSearch.parse(q.search());
        Predicate<TaskView> match = t -> (q.name() == null || q.name().equals(t.name()))
                && (q.state() == null || q.state().equals(t.state()))
                && (q.worker() == null || t.worker() == null || q.worker().equals(t.worker()))
                && (q.receivedStart() == null || !(t.get("received") instanceof Number r)
                        || r.doubleValue() >= q.receivedStart())
                && (q.receivedEnd() == null || !(t.get("received") instanceof Number e)
                        || e.doubleValue() <= q.receivedEnd())
                && search.matches(t);
        for (TaskView t : tasks.values()) {
            if (match.test(t)) {
                matching.add(t);
            }
        }
        Comparator<TaskView> order = TaskView.BY_LATEST_EVENT.reversed();
        if (q.sortBy() != null && !q.sortBy().isBlank()) {
            boolean reverse = q.sortBy().startsWith("-");
            String field = reverse ? q.sortBy().substring(1) : q.sortBy();
            Comparator<TaskView> byField = Comparator.comparing(t -> sortKey(t.get(field)),
                    Comparator.nullsFirst(Comparator.naturalOrder()));
            matching.sort(order); // Flower sorts the newest-first list, stably: ties stay newest first
            order = reverse ? byField.reversed() : byField;
        }
        matching.sort(order);
        int from = Math.min(Math.max(q.offset(), 0), matching.size());
        int to = q.limit() == null ? matching.size() : Math.min(matching.size(), from + Math.max(q.limit(), 0));
        List<Map<String, Object>> page = new ArrayList<>(to - from);
        for (TaskView t : matching.subList(from, to)) {
            page.add(t.asDict());
        }
        return page;
    }

    private static String sortKey(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Number n) {
            return String.format("%020.6f", n.doubleValue()); // numbers in numeric order as text
        }
        return value.toString();
    }

    /** Each worker heard of, by name, as Celery's {@code Worker.as_dict} with whether it is alive now. */
    public synchronized Map<String, Map<String, Object>> workers() {
        double now = clock.getAsDouble();
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        workers.forEach((name, w) -> out.put(name, w.asDict(now)));
        return out;
    }

    /** Whether a worker of this name was heard of, by its events or by its tasks'. */
    public synchronized boolean knowsWorker(String hostname) {
        return workers.containsKey(hostname);
    }

    /** Whether each worker heard of is alive: Flower's {@code /api/workers?status=true}. */
    public synchronized Map<String, Boolean> workerStatus() {
        double now = clock.getAsDouble();
        Map<String, Boolean> out = new LinkedHashMap<>();
        workers.forEach((name, w) -> out.put(name, w.alive(now)));
        return out;
    }
}
