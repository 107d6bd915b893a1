package org.celeriac.worker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.celeriac.task.Args;
import org.celeriac.task.Kwargs;
import org.celeriac.task.Task;
import org.celeriac.task.TaskContext;

/** Tasks the worker tests run. */
public class TestTasks {

    /** How many times {@code t.count} ran for each key: tests pass a fresh key. */
    static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();

    @Task(name = "t.count")
    public int count(String key) {
        return RUNS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    @Task(name = "t.add")
    public long add(long x, long y) {
        return x + y;
    }

    @Task(name = "t.echo")
    public List<Object> echo(@Args List<Object> args, @Kwargs Map<String, Object> kwargs) {
        return List.of(args, kwargs);
    }

    @Task(name = "t.sleep")
    public double sleep(double seconds) throws InterruptedException {
        Thread.sleep(Math.round(seconds * 1000));
        return seconds;
    }

    @Task(name = "t.fail")
    public Object fail(String message) {
        throw new IllegalStateException(message);
    }

    @Task(name = "t.flaky", maxRetries = 10)
    public int flaky(int times, TaskContext task) {
        if (task.retries() < times) {
            throw task.retry(Duration.ofMillis(20), new IllegalStateException("attempt " + task.retries()));
        }
        return task.retries();
    }

    @Task(name = "t.always_retry", maxRetries = 2)
    public int alwaysRetry(TaskContext task) {
        throw task.retry(Duration.ofMillis(10), new IllegalStateException("still broken"));
    }

    @Task(name = "t.ignored", ignoreResult = true)
    public int ignored() {
        return 1;
    }

    @Task(name = "t.limited", rateLimit = "5/s")
    public long limited(long x) {
        return x;
    }

    @Task(name = "t.queued", queue = "own")
    public int queued() {
        return 1;
    }

    /** Counts its run in {@link #RUNS}, then blocks until interrupted (or a minute passes): a task that hangs. */
    @Task(name = "t.hang", acksLate = Task.Toggle.ON)
    public int hang(String key) throws InterruptedException {
        RUNS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        Thread.sleep(60_000);
        return 0;
    }

    @Task(name = "t.late", acksLate = Task.Toggle.ON)
    public double late(double seconds) throws InterruptedException {
        return sleep(seconds);
    }
}
