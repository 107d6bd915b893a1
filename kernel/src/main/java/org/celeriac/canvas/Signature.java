package org.celeriac.canvas;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.celeriac.protocol.ProtocolV2;

/**
 * One task call to make later, as Celery's {@code signature}: the task's name, its arguments so far, and the options
 * to send it with. Arguments given when it is called (a chain's previous result) come before its own, unless it is
 * {@linkplain #immutable() immutable}.
 *
 * <pre>{@code Signature.of("demo.add", 2, 3).set("queue", "math").link(Signature.of("demo.log"))}</pre>
 *
 * @param subtaskType Celery's {@code subtask_type} for special signatures ({@code chunks}, {@code xmap}), else null
 */
public record Signature(String task, List<Object> args, Map<String, Object> kwargs, Map<String, Object> options,
                        boolean immutable, String subtaskType) implements Canvas {

    public Signature {
        Objects.requireNonNull(task, "task");
        if (task.isBlank()) {
            throw new IllegalArgumentException("a signature needs a task name");
        }
        args = Collections.unmodifiableList(new ArrayList<>(args == null ? List.of() : args));
        kwargs = Collections.unmodifiableMap(new LinkedHashMap<>(kwargs == null ? Map.of() : kwargs));
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options == null ? Map.of() : options));
    }

    /** Celery's {@code task.s(*args)}. */
    public static Signature of(String task, Object... args) {
        return new Signature(task, Arrays.asList(args), Map.of(), Map.of(), false, null);
    }

    /** Celery's {@code task.si(*args)}: called with its own arguments only, whatever came before. */
    public static Signature immutable(String task, Object... args) {
        return of(task, args).asImmutable();
    }

    public Signature withKwargs(Map<String, ?> more) {
        Map<String, Object> k = new LinkedHashMap<>(kwargs);
        k.putAll(more);
        return new Signature(task, args, k, options, immutable, subtaskType);
    }

    public Signature asImmutable() {
        return new Signature(task, args, kwargs, options, true, subtaskType);
    }

    /** One option as {@code apply_async} takes it ({@code queue}, {@code priority}, {@code expires}, ...). */
    public Signature set(String option, Object value) {
        Map<String, Object> o = new LinkedHashMap<>(options);
        o.put(option, value);
        return new Signature(task, args, kwargs, o, immutable, subtaskType);
    }

    @Override
    public Signature withOptions(Map<String, ?> more) {
        return new Signature(task, args, kwargs, Canvas.merged(options, more), immutable, subtaskType);
    }

    public Signature queue(String queue) {
        return set("queue", queue);
    }

    public Signature countdown(Duration countdown) {
        return set("countdown", countdown.toMillis() / 1000.0);
    }

    public Signature expires(Instant expires) {
        return set("expires", ProtocolV2.formatTime(expires));
    }

    public Signature priority(int priority) {
        return set("priority", priority);
    }

    public Signature taskId(String id) {
        return set("task_id", id);
    }

    /** Celery's {@code link}: sent with this task's result as its first argument once this task succeeds. */
    public Signature link(Canvas callback) {
        return set("link", appended("link", callback));
    }

    /**
     * Celery's {@code link_error}: sent once this task fails, with the failed task's id as its argument (how Celery
     * calls an errback it cannot inspect).
     */
    public Signature linkError(Canvas errback) {
        return set("link_error", appended("link_error", errback));
    }

    private List<Object> appended(String option, Canvas c) {
        List<Object> list = new ArrayList<>();
        if (options.get(option) instanceof List<?> l) {
            list.addAll(l);
        } else if (options.get(option) instanceof Map<?, ?> one) {
            list.add(one);
        }
        list.add(c.toDict());
        return list;
    }

    @Override
    public Map<String, Object> toDict() {
        return Canvas.dict(task, args, kwargs, options, subtaskType, immutable);
    }

    @Override
    public String toString() {
        return task + args + (kwargs.isEmpty() ? "" : kwargs.toString());
    }
}
