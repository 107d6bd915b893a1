package org.celeriac.control;

import java.time.Instant;

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
            events.send("task-received", "uuid", t.id(), "name", t.task(), "args", Repr.of(t.args()),
                    "kwargs", Repr.of(t.kwargs()), "root_id", t.rootId(), "parent_id", t.parentId(),
                    "retries", t.retries(), "eta", iso(t.eta()), "expires", iso(t.expires()));
        }
    }

    @Override
    public void started(TaskRequest r) {
        if (events.sends("task-started")) {
            events.send("task-started", "uuid", r.task().id());
        }
    }

    @Override
    public void succeeded(TaskRequest r, Object result, double runtimeSeconds) {
        if (events.sends("task-succeeded")) {
            events.send("task-succeeded", "uuid", r.task().id(), "result", Repr.of(result), "runtime", runtimeSeconds);
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
            events.send("task-rejected", "uuid", r.task().id(), "requeue", requeue);
        }
    }

    @Override
    public void revoked(TaskRequest r, boolean terminated, boolean expired) {
        if (events.sends("task-revoked")) {
            // an interrupt, which stands in for Celery's SIGTERM
            events.send("task-revoked", "uuid", r.task().id(), "terminated", terminated,
                    "signum", terminated ? 15 : null, "expired", expired);
        }
    }

    private void send(String type, TaskRequest r, ExceptionInfo error, String traceback) {
        if (events.sends(type)) {
            events.send(type, "uuid", r.task().id(), "exception", repr(error), "traceback", traceback);
        }
    }

    /** Python's repr of the exception, as Celery sends it: {@code ValueError('bad input')}. */
    static String repr(ExceptionInfo e) {
        return e == null ? null : e.type() + "(" + (e.message() == null ? "" : Repr.of(e.message())) + ")";
    }

    private static String iso(Instant t) {
        return t == null ? null : ProtocolV2.formatTime(t);
    }
}
