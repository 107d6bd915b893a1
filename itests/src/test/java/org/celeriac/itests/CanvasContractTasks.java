package org.celeriac.itests;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.celeriac.task.Args;
import org.celeriac.task.Task;

/** Tasks the {@link CanvasContract} composes, run by an in-process worker. */
public class CanvasContractTasks {

    /** What {@code cc.record} was called with, by the key the test passes. */
    static final Map<String, List<Object>> RECORDED = new ConcurrentHashMap<>();

    /** What {@code cc.block} waits for, by the key the test passes. */
    private static final Map<String, CountDownLatch> GATES = new ConcurrentHashMap<>();

    static void release(String key) {
        gate(key).countDown();
    }

    /** Lets every blocked task end: a failed test must not hold the worker's warm shutdown. */
    static void releaseAll() {
        GATES.values().forEach(CountDownLatch::countDown);
    }

    private static CountDownLatch gate(String key) {
        return GATES.computeIfAbsent(key, k -> new CountDownLatch(1));
    }

    @Task(name = "cc.add")
    public long add(long x, long y) {
        return x + y;
    }

    /** Returns its first argument: a chord body that shows what it was given. */
    @Task(name = "cc.first")
    public Object first(@Args List<Object> args) {
        return args.get(0);
    }

    @Task(name = "cc.fail")
    public Object fail(Object why) {
        throw new IllegalStateException("failed on purpose: " + why);
    }

    /** Sleeps, then returns its value: header members that finish out of order. */
    @Task(name = "cc.slow")
    public Object slow(Object value, double seconds) throws InterruptedException {
        Thread.sleep(Math.round(seconds * 1000));
        return value;
    }

    /** Returns its value once the test {@linkplain #release released} {@code key} (or after a minute). */
    @Task(name = "cc.block")
    public Object block(Object value, String key) throws InterruptedException {
        gate(key).await(60, TimeUnit.SECONDS);
        return value;
    }

    /** Records the value it was called with (a callback's result, an errback's failed id) under {@code key}. */
    @Task(name = "cc.record")
    public Object record(Object value, String key) {
        RECORDED.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(value);
        return value;
    }
}
