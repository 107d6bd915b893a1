package org.celeriac.canvas;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tasks one after another, as Celery's {@code chain}: each gets the previous one's result as its first argument; a
 * failure stops it. A group followed by a task is a chord.
 */
public record Chain(List<Canvas> tasks, Map<String, Object> options) implements Canvas {

    public Chain {
        tasks = Collections.unmodifiableList(new ArrayList<>(tasks));
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options == null ? Map.of() : options));
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("a chain needs at least one task");
        }
    }

    public static Chain of(Canvas... tasks) {
        return of(Arrays.asList(tasks));
    }

    /** Nested chains are spliced in, as Celery's {@code |} does. */
    public static Chain of(List<? extends Canvas> tasks) {
        List<Canvas> flat = new ArrayList<>();
        for (Canvas c : tasks) {
            if (c instanceof Chain inner && inner.options().isEmpty()) {
                flat.addAll(inner.tasks());
            } else {
                flat.add(c);
            }
        }
        return new Chain(flat, Map.of());
    }

    @Override
    public Chain then(Canvas next) {
        List<Canvas> t = new ArrayList<>(tasks);
        if (next instanceof Chain inner && inner.options().isEmpty()) {
            t.addAll(inner.tasks());
        } else {
            t.add(next);
        }
        return new Chain(t, options);
    }

    @Override
    public Chain withOptions(Map<String, ?> more) {
        return new Chain(tasks, Canvas.merged(options, more));
    }

    @Override
    public Map<String, Object> toDict() {
        return Canvas.dict("celery.chain", List.of(), Map.of("tasks", Canvas.dicts(tasks)), options, "chain", false);
    }
}
