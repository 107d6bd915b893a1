package org.celeriac.client;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeoutException;

import org.celeriac.protocol.ExceptionInfo;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;

/** A handle on a sent task's result, as Celery's {@code AsyncResult}. */
public final class AsyncResult {

    private final String id;
    private final ResultBackend backend;
    private final AsyncResult parent;
    private final GroupResult parentGroup;

    AsyncResult(String id, ResultBackend backend) {
        this(id, backend, null, null);
    }

    AsyncResult(String id, ResultBackend backend, AsyncResult parent, GroupResult parentGroup) {
        this.id = id;
        this.backend = backend;
        this.parent = parent;
        this.parentGroup = parentGroup;
    }

    public String id() {
        return id;
    }

    /**
     * The result of the chain step before this one, as Celery's {@code AsyncResult.parent}; empty for a first step, a
     * chord's body (its parent is a group: {@link #parentGroup()}) and results looked up by id.
     */
    public java.util.Optional<AsyncResult> parent() {
        return java.util.Optional.ofNullable(parent);
    }

    /** For a chord's body, or a step after a group, the group before it. */
    public java.util.Optional<GroupResult> parentGroup() {
        return java.util.Optional.ofNullable(parentGroup);
    }

    /** Celery's result tuple, {@code [[id, parent], null]}. */
    List<Object> asTuple() {
        return java.util.Arrays.asList(java.util.Arrays.asList(id, parent == null ? null : parent.asTuple()), null);
    }

    /** The stored result, PENDING when nothing is stored yet. */
    public TaskResult result() {
        return backend.get(id).orElseGet(() -> TaskResult.pending(id));
    }

    public TaskState state() {
        return result().state();
    }

    public boolean ready() {
        return state().isReady();
    }

    /**
     * Waits for the task to finish and returns its value.
     *
     * @throws TaskFailedException  when it failed or was revoked
     * @throws TimeoutException     when it did not finish within {@code timeout}
     */
    public Object get(Duration timeout) throws TaskFailedException, TimeoutException, InterruptedException {
        TaskResult r = backend.await(id, timeout)
                .orElseThrow(() -> new TimeoutException("task " + id + " did not finish within " + timeout
                        + " (state " + state() + ")"));
        if (r.state() == TaskState.SUCCESS) {
            return r.result();
        }
        throw new TaskFailedException(id, r.state(), ExceptionInfo.fromResult(r.result()), r.traceback());
    }

    /** Removes the stored result. */
    public void forget() {
        backend.forget(id);
    }

    @Override
    public String toString() {
        return id;
    }
}
