package org.celeriac.canvas;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Tasks side by side, as Celery's {@code group}; its result lists theirs in this order. */
public record Group(List<Canvas> tasks, Map<String, Object> options) implements Canvas {

    public Group {
        tasks = Collections.unmodifiableList(new ArrayList<>(tasks));
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options == null ? Map.of() : options));
    }

    public static Group of(Canvas... tasks) {
        return new Group(Arrays.asList(tasks), Map.of());
    }

    public static Group of(List<? extends Canvas> tasks) {
        return new Group(new ArrayList<>(tasks), Map.of());
    }


    @Override
    public Group withOptions(Map<String, ?> more) {
        return new Group(tasks, Canvas.merged(options, more));
    }

    @Override
    public Map<String, Object> toDict() {
        return Canvas.dict("celery.group", List.of(), Map.of("tasks", Canvas.dicts(tasks)), options, "group", false);
    }
}
