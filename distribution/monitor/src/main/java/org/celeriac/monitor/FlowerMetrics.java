package org.celeriac.monitor;

import java.util.Map;
import java.util.TreeMap;

/**
 * Flower's Prometheus metrics, by Flower's names and labels, so that Flower's Grafana dashboard reads them unchanged:
 * events by worker, type and task; task runtimes (a histogram with Prometheus' default buckets, Flower's default);
 * prefetch time and prefetched tasks; workers online and their tasks executing. Fed by {@link ClusterState}, under its
 * lock; written in Prometheus' text format.
 */
final class FlowerMetrics {
    /** prometheus_client's {@code Histogram.DEFAULT_BUCKETS}, +Inf implied. */
    private static final double[] BUCKETS = {.005, .01, .025, .05, .075, .1, .25, .5, .75, 1.0, 2.5, 5.0, 7.5, 10.0};

    private record WorkerTask(String worker, String task) implements Comparable<WorkerTask> {
        @Override
        public int compareTo(WorkerTask o) {
            int c = worker.compareTo(o.worker);
            return c != 0 ? c : task.compareTo(o.task);
        }
    }

    private record EventKey(String worker, String type, String task) implements Comparable<EventKey> {
        @Override
        public int compareTo(EventKey o) {
            int c = worker.compareTo(o.worker);
            c = c != 0 ? c : type.compareTo(o.type);
            return c != 0 ? c : task.compareTo(o.task);
        }
    }

    private static final class Histogram {
        final long[] counts = new long[BUCKETS.length];
        long count;
        double sum;

        void observe(double v) {
            for (int i = 0; i < BUCKETS.length; i++) {
                if (v <= BUCKETS[i]) {
                    counts[i]++;
                }
            }
            count++;
            sum += v;
        }
    }

    private final Map<EventKey, Long> events = new TreeMap<>();
    private final Map<WorkerTask, Histogram> runtime = new TreeMap<>();
    private final Map<WorkerTask, Double> prefetchTime = new TreeMap<>();
    private final Map<WorkerTask, Double> prefetched = new TreeMap<>();
    private final Map<String, Double> online = new TreeMap<>();
    private final Map<String, Double> executing = new TreeMap<>();

    /** As Flower's {@code EventsState.event}, after the event was merged into the task it names (if any). */
    void record(String type, String worker, Map<String, Object> event, TaskView task) {
        if (worker == null) {
            return;
        }
        if (type.startsWith("task-")) {
            String name = event.get("name") instanceof String n && !n.isEmpty() ? n
                    : task != null && task.name() != null ? task.name() : "";
            events.merge(new EventKey(worker, type, name), 1L, Long::sum);
            WorkerTask key = new WorkerTask(worker, name);
            if (event.get("runtime") instanceof Number r && r.doubleValue() != 0) {
                runtime.computeIfAbsent(key, k -> new Histogram()).observe(r.doubleValue());
            }
            if (task != null && task.get("eta") == null) {
                Object started = task.get("started");
                Object received = task.get("received");
                if (type.equals("task-received") && received != null) {
                    prefetched.merge(key, 1.0, Double::sum);
                }
                if (type.equals("task-started") && started instanceof Number s && received instanceof Number r) {
                    prefetchTime.put(key, s.doubleValue() - r.doubleValue());
                    prefetched.merge(key, -1.0, Double::sum);
                }
                if ((type.equals("task-succeeded") || type.equals("task-failed")) && started != null
                        && received != null) {
                    prefetchTime.put(key, 0.0);
                }
            }
        }
        switch (type) {
            case "worker-online" -> online.put(worker, 1.0);
            case "worker-heartbeat" -> {
                online.put(worker, 1.0);
                if (event.get("active") instanceof Number n) {
                    executing.put(worker, n.doubleValue());
                }
            }
            case "worker-offline" -> online.put(worker, 0.0);
            default -> { }
        }
    }

    /** The Prometheus text exposition of every metric. */
    String render() {
        StringBuilder out = new StringBuilder();
        header(out, "flower_events_total", "Number of events", "counter");
        events.forEach((k, v) -> sample(out, "flower_events_total",
                labels("worker", k.worker(), "type", k.type(), "task", k.task()), v));
        header(out, "flower_task_runtime_seconds", "Task runtime", "histogram");
        runtime.forEach((k, h) -> {
            for (int i = 0; i < BUCKETS.length; i++) {
                sample(out, "flower_task_runtime_seconds_bucket",
                        labels("worker", k.worker(), "task", k.task(), "le", Double.toString(BUCKETS[i])), h.counts[i]);
            }
            sample(out, "flower_task_runtime_seconds_bucket",
                    labels("worker", k.worker(), "task", k.task(), "le", "+Inf"), h.count);
            sample(out, "flower_task_runtime_seconds_count", labels("worker", k.worker(), "task", k.task()), h.count);
            sample(out, "flower_task_runtime_seconds_sum", labels("worker", k.worker(), "task", k.task()), h.sum);
        });
        header(out, "flower_task_prefetch_time_seconds",
                "The time the task spent waiting at the celery worker to be executed.", "gauge");
        prefetchTime.forEach((k, v) -> sample(out, "flower_task_prefetch_time_seconds",
                labels("worker", k.worker(), "task", k.task()), v));
        header(out, "flower_worker_prefetched_tasks", "Number of tasks of given type prefetched at a worker", "gauge");
        prefetched.forEach((k, v) -> sample(out, "flower_worker_prefetched_tasks",
                labels("worker", k.worker(), "task", k.task()), v));
        header(out, "flower_worker_online", "Worker online status", "gauge");
        online.forEach((w, v) -> sample(out, "flower_worker_online", labels("worker", w), v));
        header(out, "flower_worker_number_of_currently_executing_tasks",
                "Number of tasks currently executing at a worker", "gauge");
        executing.forEach((w, v) -> sample(out, "flower_worker_number_of_currently_executing_tasks",
                labels("worker", w), v));
        return out.toString();
    }

    private static void header(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String labels, double value) {
        out.append(name).append('{').append(labels).append("} ").append(value).append('\n');
    }

    private static String labels(String... namesAndValues) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            if (i > 0) {
                b.append(',');
            }
            b.append(namesAndValues[i]).append("=\"").append(escape(namesAndValues[i + 1])).append('"');
        }
        return b.toString();
    }

    /** Prometheus' label value escapes: backslash, double quote, newline. */
    private static String escape(String v) {
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
