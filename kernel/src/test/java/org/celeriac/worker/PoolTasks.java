package org.celeriac.worker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.celeriac.task.Task;

/** Tasks that hold until released and record how many run at once. Tests pass fresh keys for the shared maps. */
public class PoolTasks {
    /** Latches the held tasks wait on, per key. */
    static final Map<String, CountDownLatch> RELEASE = new ConcurrentHashMap<>();
    /** Held tasks started, per key. */
    static final Map<String, AtomicInteger> STARTED = new ConcurrentHashMap<>();
    /** Tasks running at once now and at most, per key. */
    static final Map<String, AtomicInteger> RUNNING = new ConcurrentHashMap<>();
    static final Map<String, AtomicInteger> MOST = new ConcurrentHashMap<>();
    /** Whether the last task of a key ran on a virtual thread. */
    static final Map<String, Boolean> VIRTUAL = new ConcurrentHashMap<>();

    static CountDownLatch release(String key) {
        return RELEASE.computeIfAbsent(key, k -> new CountDownLatch(1));
    }

    static int started(String key) {
        return STARTED.computeIfAbsent(key, k -> new AtomicInteger()).get();
    }

    static int most(String key) {
        return MOST.computeIfAbsent(key, k -> new AtomicInteger()).get();
    }

    /** Runs until its key is released (at most 30 s). */
    @Task(name = "p.hold")
    public String hold(String key) throws InterruptedException {
        STARTED.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        int now = RUNNING.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        MOST.computeIfAbsent(key, k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
        try {
            release(key).await(30, TimeUnit.SECONDS);
        } finally {
            RUNNING.get(key).decrementAndGet();
        }
        return key;
    }

    /** The same, acknowledged only once it returns. */
    @Task(name = "p.hold_late", acksLate = Task.Toggle.ON)
    public String holdLate(String key) throws InterruptedException {
        return hold(key);
    }

    /** Says which thread kind ran it. */
    @Task(name = "p.where")
    public boolean where(String key) {
        boolean virtual = Thread.currentThread().toString().startsWith("VirtualThread");
        VIRTUAL.put(key, virtual);
        return virtual;
    }
}
