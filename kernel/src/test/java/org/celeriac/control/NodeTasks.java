package org.celeriac.control;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.celeriac.task.Task;

/** Tasks for the remote-control tests: one that adds, one that holds until its key is released. */
public class NodeTasks {
    static final Map<String, CountDownLatch> RELEASE = new ConcurrentHashMap<>();

    static CountDownLatch release(String key) {
        return RELEASE.computeIfAbsent(key, k -> new CountDownLatch(1));
    }

    @Task(name = "n.add")
    public int add(int a, int b) {
        return a + b;
    }

    /** Runs until its key is released (at most 30 s). */
    @Task(name = "n.hold")
    public String hold(String key) throws InterruptedException {
        release(key).await(30, TimeUnit.SECONDS);
        return key;
    }
}
