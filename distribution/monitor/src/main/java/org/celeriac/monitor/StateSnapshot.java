package org.celeriac.monitor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The tasks (oldest heard of first) and workers a {@link ClusterState} knows, as JSON-like maps: what a persistent
 * monitor saves and loads again at its next start.
 */
record StateSnapshot(List<Map<String, Object>> tasks, List<Map<String, Object>> workers) {

    StateSnapshot {
        tasks = List.copyOf(tasks);
        workers = List.copyOf(workers);
    }

    static StateSnapshot empty() {
        return new StateSnapshot(List.of(), List.of());
    }

    static StateSnapshot of(Collection<TaskView> tasks, Collection<WorkerView> workers) {
        List<Map<String, Object>> t = new ArrayList<>(tasks.size());
        tasks.forEach(task -> t.add(task.fields()));
        List<Map<String, Object>> w = new ArrayList<>(workers.size());
        workers.forEach(worker -> w.add(worker.persisted()));
        return new StateSnapshot(t, w);
    }

    List<TaskView> taskViews() {
        List<TaskView> views = new ArrayList<>(tasks.size());
        for (Map<String, Object> fields : tasks) {
            if (fields.get("uuid") instanceof String) {
                views.add(TaskView.restored(fields));
            }
        }
        return views;
    }

    List<WorkerView> workerViews() {
        List<WorkerView> views = new ArrayList<>(workers.size());
        for (Map<String, Object> kept : workers) {
            if (kept.get("hostname") instanceof String) {
                views.add(WorkerView.restored(kept));
            }
        }
        return views;
    }
}
