package org.celeriac.worker;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.celeriac.task.Args;
import org.celeriac.task.Task;

/** Tasks the canvas tests compose. */
public class CanvasTasks {

    /** What {@code c.record} was called with, by the key the test passes. */
    static final Map<String, List<Object>> RECORDED = new ConcurrentHashMap<>();

    @Task(name = "c.add")
    public long add(long x, long y) {
        return x + y;
    }

    /** Returns its first argument: a chord body that shows what it was given. */
    @Task(name = "c.first")
    public Object first(@Args List<Object> args) {
        return args.get(0);
    }

    @Task(name = "c.fail")
    public Object fail(Object why) {
        throw new IllegalStateException("failed on purpose: " + why);
    }

    /** Sleeps, then returns its value: header members that finish out of order. */
    @Task(name = "c.slow")
    public Object slow(Object value, double seconds) throws InterruptedException {
        Thread.sleep(Math.round(seconds * 1000));
        return value;
    }

    /** Records the value it was called with (a callback's result, an errback's failed id) under {@code key}. */
    @Task(name = "c.record")
    public Object record(Object value, String key) {
        RECORDED.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(value);
        return value;
    }
}
