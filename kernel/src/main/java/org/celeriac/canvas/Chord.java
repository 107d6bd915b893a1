package org.celeriac.canvas;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A group and a task after it, as Celery's {@code chord}: the body runs once, after every task of the header, with
 * their results in header order as its first argument. A failed header task fails the chord at once with Celery's
 * {@code ChordError}.
 */
public record Chord(Group header, Canvas body, Map<String, Object> options) implements Canvas {

    /** The body option that asks for every member's outcome: see {@link #withEveryOutcome()}. */
    public static final String EVERY_OUTCOME = "chord_outcomes";

    public Chord {
        Objects.requireNonNull(header, "header");
        Objects.requireNonNull(body, "body");
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options == null ? Map.of() : options));
    }

    public static Chord of(Group header, Canvas body) {
        return new Chord(header, body, Map.of());
    }

    /**
     * Beyond Celery (celery#1881): the body runs even when header tasks fail, once every one finished, and gets each
     * one's outcome in header order, {@code {"task_id", "status", "result"}}, the result of a failed one being its
     * exception as Celery stores it. Celeriac workers honour it; where a Celery worker runs the last header task, the
     * chord fails as Celery's do.
     */
    public Chord withEveryOutcome() {
        return withOptions(Map.of(EVERY_OUTCOME, true));
    }

    @Override
    public Chord withOptions(Map<String, ?> more) {
        return new Chord(header, body, Canvas.merged(options, more));
    }

    @Override
    public Map<String, Object> toDict() {
        Map<String, Object> kwargs = new LinkedHashMap<>();
        // A frozen header keeps its group id, as Celery's frozen chord writes its header as a group.
        kwargs.put("header", header.options().isEmpty() ? Canvas.dicts(header.tasks()) : header.toDict());
        kwargs.put("body", body.toDict());
        kwargs.put("kwargs", Map.of());
        return Canvas.dict("celery.chord", List.of(), kwargs, options, "chord", false);
    }
}
