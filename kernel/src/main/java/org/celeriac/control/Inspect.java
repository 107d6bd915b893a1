package org.celeriac.control;

import java.util.List;
import java.util.Map;

/**
 * Celery's {@code app.control.inspect()} from Java: each method asks the target's workers, Celery's and Celeriac's,
 * and returns their replies by node name (empty when none replied in time), in Celery's shapes.
 */
public final class Inspect {
    private final Control control;
    private final ControlTarget target;

    Inspect(Control control, ControlTarget target) {
        this.control = control;
        this.target = target;
    }

    private Map<String, Object> ask(String command, Map<String, Object> arguments) {
        return control.call(command, arguments, target);
    }

    /** {@code {"ok": "pong"}} from each node. */
    public Map<String, Object> ping() {
        return ask("ping", Map.of());
    }

    /** Pool, totals, uptime, prefetch count, broker, resource usage. */
    public Map<String, Object> stats() {
        return ask("stats", Map.of());
    }

    /** The tasks running now, as {@code Request.info()}. */
    public Map<String, Object> active() {
        return ask("active", Map.of());
    }

    /** The tasks taken and waiting for a pool thread. */
    public Map<String, Object> reserved() {
        return ask("reserved", Map.of());
    }

    /** The tasks waiting for their ETA: {@code {eta, priority, request}}. */
    public Map<String, Object> scheduled() {
        return ask("scheduled", Map.of());
    }

    /** The task names each node runs. */
    public Map<String, Object> registered() {
        return ask("registered", Map.of());
    }

    /** The task ids revoked on each node. */
    public Map<String, Object> revoked() {
        return ask("revoked", Map.of());
    }

    /** The queues each node consumes, as kombu's {@code Queue.as_dict}. */
    public Map<String, Object> activeQueues() {
        return ask("active_queues", Map.of());
    }

    /** Where each node has these tasks: {@code {id: [state, info]}}. */
    public Map<String, Object> queryTask(String... ids) {
        return ask("query_task", Map.of("ids", List.of(ids)));
    }

    /** Each node's settings, secrets masked. */
    public Map<String, Object> conf() {
        return ask("conf", Map.of());
    }

    /** Each node's logical clock. */
    public Map<String, Object> clock() {
        return ask("clock", Map.of());
    }
}
