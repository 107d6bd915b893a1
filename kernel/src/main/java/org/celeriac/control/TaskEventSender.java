package org.celeriac.control;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.celeriac.events.EventDispatcher;
import org.celeriac.protocol.ExceptionInfo;
import org.celeriac.protocol.ProtocolV2;
import org.celeriac.protocol.Repr;
import org.celeriac.protocol.TaskMessage;
import org.celeriac.worker.TaskObserver;
import org.celeriac.worker.TaskRequest;

/**
 * A worker's task events, with the fields Celery's worker gives each ({@code task-received} with the arguments'
 * reprs, {@code task-succeeded} with the result's and the {@code runtime}, ...). Builds nothing while task events
 * are off.
 */
final class TaskEventSender implements TaskObserver {
    private final EventDispatcher events;

    TaskEventSender(EventDispatcher events) {
        this.events = events;
    }

    /** Only while task events are on: the worker then builds no request snapshot for them. */
    @Override
    public boolean listening() {
        return events.taskEvents();
    }

    @Override
    public void received(TaskRequest r) {
        if (events.sends("task-received")) {
            TaskMessage t = r.task();
            Map<String, Object> f = fields(t);
            f.put("name", t.task());
            f.put("args", Repr.of(t.args()));
            f.put("kwargs", Repr.of(t.kwargs()));
            f.put("root_id", t.rootId());
            f.put("parent_id", t.parentId());
            f.put("retries", t.retries());
            f.put("eta", iso(t.eta()));
            f.put("expires", iso(t.expires()));
            events.send("task-received", f);
        }
    }

    @Override
    public void started(TaskRequest r) {
        if (events.sends("task-started")) {
            events.send("task-started", fields(r.task()));
        }
    }

    @Override
    public void succeeded(TaskRequest r, Object result, double runtimeSeconds) {
        if (events.sends("task-succeeded")) {
            Map<String, Object> f = fields(r.task());
            f.put("result", Repr.of(result));
            f.put("runtime", runtimeSeconds);
            events.send("task-succeeded", f);
        }
    }

    @Override
    public void failed(TaskRequest r, ExceptionInfo error, String traceback) {
        send("task-failed", r, error, traceback);
    }

    @Override
    public void retried(TaskRequest r, ExceptionInfo error, String traceback) {
        send("task-retried", r, error, traceback);
    }

    @Override
    public void rejected(TaskRequest r, boolean requeue) {
        if (events.sends("task-rejected")) {
            Map<String, Object> f = fields(r.task());
            f.put("requeue", requeue);
            events.send("task-rejected", f);
        }
    }

    @Override
    public void revoked(TaskRequest r, boolean terminated, boolean expired) {
        if (events.sends("task-revoked")) {
            Map<String, Object> f = fields(r.task());
            f.put("terminated", terminated);
            f.put("signum", terminated ? 15 : null); // an interrupt, which stands in for Celery's SIGTERM
            f.put("expired", expired);
            events.send("task-revoked", f);
        }
    }

    private void send(String type, TaskRequest r, ExceptionInfo error, String traceback) {
        if (events.sends(type)) {
            Map<String, Object> f = fields(r.task());
            f.put("exception", repr(error));
            f.put("traceback", traceback);
            events.send(type, f);
        }
    }

    private static Map<String, Object> fields(TaskMessage t) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("uuid", t.id());
        return f;
    }

    /** Python's repr of the exception, as Celery sends it: {@code ValueError('bad input')}. */
    static String repr(ExceptionInfo e) {
        return e == null ? null : e.type() + "(" + (e.message() == null ? "" : Repr.of(e.message())) + ")";
    }

    private static String iso(Instant t) {
        return t == null ? null : ProtocolV2.formatTime(t);
    }
}
