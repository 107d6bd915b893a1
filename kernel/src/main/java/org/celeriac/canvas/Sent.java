package org.celeriac.canvas;

import java.util.List;

/**
 * The ids of what a canvas sent, for its results: one task's id, or a group's id and its members; each with the
 * step before it in its chain ({@code parent}), as Celery's results link them.
 */
public final class Sent {
    private final String id;
    private final List<Sent> members;
    private Sent parent;

    private Sent(String id, List<Sent> members) {
        this.id = id;
        this.members = members;
    }

    static Sent task(String id) {
        return new Sent(id, null);
    }

    static Sent group(String id, List<Sent> members) {
        return new Sent(id, List.copyOf(members));
    }

    /** The task id, or the group id of a group. */
    public String id() {
        return id;
    }

    public boolean isGroup() {
        return members != null;
    }

    /** A group's members in order; empty for a task. */
    public List<Sent> members() {
        return members == null ? List.of() : members;
    }

    /** The step this one follows (a chord body's is its header group), or null. */
    public Sent parent() {
        return parent;
    }

    /** Set while the canvas is prepared, before anyone else sees it. */
    void parent(Sent p) {
        parent = p;
    }

    /** Celery's result tuple, {@code [[id, parent], children]}, as {@code GroupResult.save} stores members. */
    public List<Object> asTuple() {
        List<Object> head = java.util.Arrays.asList(id, parent == null ? null : parent.asTuple());
        if (members == null) {
            return java.util.Arrays.asList(head, null);
        }
        return java.util.Arrays.asList(head, members.stream().map(Sent::asTuple).map(t -> (Object) t).toList());
    }

    /**
     * The id in Celery's result tuple {@code [[id, parent], children]} (a bare id is taken as it is).
     *
     * @throws IllegalArgumentException when it is neither
     */
    public static String idOfTuple(Object tuple) {
        if (tuple instanceof List<?> t && !t.isEmpty() && t.get(0) instanceof List<?> head && !head.isEmpty()
                && head.get(0) instanceof String id) {
            return id;
        }
        if (tuple instanceof String id) {
            return id;
        }
        throw new IllegalArgumentException("not a Celery result tuple: " + tuple);
    }

    @Override
    public String toString() {
        return isGroup() ? id + members : id;
    }
}
