package org.celeriac.spi.backend;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a backend stores for one task, field for field Celery's result meta
 * ({@code task_id, status, result, traceback, children, date_done}).
 *
 * @param taskId    the task id
 * @param state     the state
 * @param result    the return value (JSON-like) on SUCCESS; on FAILURE, RETRY and REVOKED the exception as
 *                  {@code {"exc_type", "exc_message", "exc_module"}}
 * @param traceback the failure's stack trace as text, or {@code null}
 * @param children  results of tasks this one started, in Celery's tuple form; empty when none
 * @param dateDone  when the state was reached, or {@code null} while pending
 * @param extended  further meta Celery stores with {@code result_extended} ({@code name, args, kwargs,
 *                  worker, retries, queue}) and anything a backend must carry along; empty when none
 */
public record TaskResult(String taskId, TaskState state, Object result, String traceback,
                         List<Object> children, Instant dateDone, Map<String, Object> extended) {

    public TaskResult {
        Objects.requireNonNull(taskId, "taskId");
        Objects.requireNonNull(state, "state");
        children = children == null ? List.of() : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(children));
        extended = extended == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(extended));
    }

    /** What a backend answers for a task it knows nothing of: PENDING, as Celery does. */
    public static TaskResult pending(String taskId) {
        return new TaskResult(taskId, TaskState.PENDING, null, null, List.of(), null, Map.of());
    }
}
