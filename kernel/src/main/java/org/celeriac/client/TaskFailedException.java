package org.celeriac.client;

import org.celeriac.protocol.ExceptionInfo;
import org.celeriac.spi.backend.TaskState;

/** The task ended in FAILURE (or REVOKED); carries the exception as the worker stored it. */
public class TaskFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String taskId;
    private final TaskState state;
    private final transient ExceptionInfo exception;
    private final String remoteTraceback;

    public TaskFailedException(String taskId, TaskState state, ExceptionInfo exception, String remoteTraceback) {
        super("task " + taskId + " " + state + ": " + exception);
        this.taskId = taskId;
        this.state = state;
        this.exception = exception;
        this.remoteTraceback = remoteTraceback;
    }

    public String taskId() {
        return taskId;
    }

    public TaskState state() {
        return state;
    }

    /** The remote exception: type, module and message. */
    public ExceptionInfo exception() {
        return exception;
    }

    /** The traceback as the worker wrote it, or null. */
    public String remoteTraceback() {
        return remoteTraceback;
    }
}
