package org.celeriac.client;

import java.util.List;
import java.util.Map;

/**
 * One task to send in a batch ({@link CeleriacClient#sendAll}): name, arguments and per-call options.
 *
 * @param task    the registered task name
 * @param args    positional arguments (null for none)
 * @param kwargs  keyword arguments (null for none)
 * @param options per-call options (null for the defaults)
 */
public record TaskCall(String task, List<?> args, Map<String, ?> kwargs, SendOptions options) {

    public static TaskCall of(String task, List<?> args, Map<String, ?> kwargs) {
        return new TaskCall(task, args, kwargs, SendOptions.defaults());
    }

    public TaskCall {
        if (task == null || task.isBlank()) {
            throw new IllegalArgumentException("a task call needs a task name");
        }
        options = options == null ? SendOptions.defaults() : options;
    }
}
