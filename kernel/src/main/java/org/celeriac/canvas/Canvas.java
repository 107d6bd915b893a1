package org.celeriac.canvas;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A workflow to send, as Celery's signatures: one task ({@link Signature}), tasks one after another
 * ({@link Chain}), tasks side by side ({@link Group}), or tasks side by side and one after all of them
 * ({@link Chord}). Immutable; each converts to and from the dict Celery puts in messages.
 */
public sealed interface Canvas permits Signature, Chain, Group, Chord {

    /** The options {@code apply_async} would take ({@code queue}, {@code countdown}, {@code link}, ...). */
    Map<String, Object> options();

    /** The same canvas with these options added (replacing those of the same name). */
    Canvas withOptions(Map<String, ?> more);

    /** Celery's signature dict: {@code task, args, kwargs, options, subtask_type, immutable}. */
    Map<String, Object> toDict();

    /** The same tasks followed by {@code next}, which gets this one's result as its first argument. */
    default Chain then(Canvas next) {
        return Chain.of(this, next);
    }

    /**
     * Whether what it ends with is a group of several tasks, whose results are a group's (a group of one is sent as
     * that one task, as Celery unrolls it).
     */
    default boolean endsInGroup() {
        if (this instanceof Group g) {
            return g.tasks().size() != 1 || g.tasks().get(0).endsInGroup();
        }
        if (this instanceof Chain c) {
            return c.tasks().get(c.tasks().size() - 1).endsInGroup();
        }
        return false;
    }

    /**
     * Reads Celery's signature dict, nested canvases included.
     *
     * @throws IllegalArgumentException when it is not one
     */
    static Canvas fromDict(Object value) {
        if (!(value instanceof Map<?, ?> d) || !(d.get("task") instanceof String task)) {
            throw new IllegalArgumentException("not a Celery signature: " + value);
        }
        Map<String, Object> options = stringMap(d.get("options"), "options");
        Map<String, Object> kwargs = stringMap(d.get("kwargs"), "kwargs");
        Object type = d.get("subtask_type");
        if ("chain".equals(type) || (type == null && "celery.chain".equals(task) && kwargs.get("tasks") != null)) {
            return new Chain(canvases(kwargs.get("tasks")), options);
        }
        if ("group".equals(type) || (type == null && "celery.group".equals(task) && kwargs.get("tasks") != null)) {
            return new Group(canvases(kwargs.get("tasks")), options);
        }
        if ("chord".equals(type)) {
            Object header = kwargs.get("header");
            // Celery writes the header as a list of signatures, or as a group once the chord was frozen.
            Group group = header instanceof Map<?, ?> ? asGroup(fromDict(header)) : new Group(canvases(header), Map.of());
            return new Chord(group, fromDict(kwargs.get("body")), options);
        }
        Object args = d.get("args");
        if (args != null && !(args instanceof List<?>)) {
            throw new IllegalArgumentException("signature args must be a list: " + args);
        }
        return new Signature(task, args == null ? List.of() : new ArrayList<>((List<?>) args), kwargs, options,
                Boolean.TRUE.equals(d.get("immutable")), type instanceof String s ? s : null);
    }

    private static Group asGroup(Canvas c) {
        return c instanceof Group g ? g : new Group(List.of(c), Map.of());
    }

    private static List<Canvas> canvases(Object value) {
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("expected a list of signatures: " + value);
        }
        List<Canvas> out = new ArrayList<>(list.size());
        for (Object o : list) {
            out.add(fromDict(o));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> stringMap(Object value, String what) {
        if (value == null) {
            return new LinkedHashMap<>();
        }
        if (!(value instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("signature " + what + " must be a dict: " + value);
        }
        return new LinkedHashMap<>((Map<String, Object>) value);
    }

    /** Celery's dict shape for the canvas types that carry their members in {@code kwargs}. */
    static Map<String, Object> dict(String task, List<?> args, Map<String, ?> kwargs, Map<String, ?> options,
                                    String subtaskType, boolean immutable) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("task", task);
        d.put("args", args);
        d.put("kwargs", kwargs);
        d.put("options", options);
        d.put("subtask_type", subtaskType);
        d.put("immutable", immutable);
        return d;
    }

    static Map<String, Object> merged(Map<String, Object> base, Map<String, ?> more) {
        Map<String, Object> m = new LinkedHashMap<>(base);
        m.putAll(more);
        return m;
    }

    static List<Object> dicts(List<Canvas> canvases) {
        List<Object> out = new ArrayList<>(canvases.size());
        for (Canvas c : canvases) {
            out.add(c.toDict());
        }
        return out;
    }
}
