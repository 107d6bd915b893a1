package org.celeriac.control;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.celeriac.protocol.Repr;
import org.celeriac.protocol.TaskMessage;
import org.celeriac.worker.TaskRequest;

/** A task request as Celery's {@code Request.info()} shows it in {@code active}, {@code reserved}, {@code scheduled}. */
final class RequestInfo {
    private RequestInfo() {
    }

    /** @param safe arguments as their reprs, as {@code active(safe=True)} (Flower asks so) */
    static Map<String, Object> of(TaskRequest r, String hostname, boolean safe) {
        TaskMessage t = r.task();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("id", t.id());
        info.put("name", t.task());
        // safe: the sender's own reprs where it sent them (argsrepr may hide secrets), else ours
        info.put("args", safe ? repr(t, "argsrepr", t.args()) : t.args());
        info.put("kwargs", safe ? repr(t, "kwargsrepr", t.kwargs()) : t.kwargs());
        info.put("type", t.task());
        info.put("hostname", hostname);
        info.put("time_start", r.timeStart() == null ? null : seconds(r.timeStart()));
        info.put("acknowledged", r.acknowledged());
        Map<String, Object> delivery = new LinkedHashMap<>();
        delivery.put("exchange", "");
        delivery.put("routing_key", r.queue());
        delivery.put("priority", t.priority());
        delivery.put("redelivered", r.redelivered());
        info.put("delivery_info", delivery);
        info.put("worker_pid", r.timeStart() == null ? null : ProcessHandle.current().pid());
        return info;
    }

    /** As Celery's {@code scheduled} entries: the ETA, the priority, the request. */
    static Map<String, Object> scheduled(TaskRequest r, String hostname) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("eta", r.eta() == null ? null : r.eta().toString());
        entry.put("priority", r.task().priority());
        entry.put("request", of(r, hostname, false));
        return entry;
    }

    private static String repr(TaskMessage t, String header, Object value) {
        return t.otherHeaders().get(header) instanceof String s ? s : Repr.of(value);
    }

    static double seconds(Instant t) {
        return t.getEpochSecond() + t.getNano() / 1e9;
    }
}
