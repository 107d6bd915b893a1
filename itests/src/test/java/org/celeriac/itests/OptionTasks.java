package org.celeriac.itests;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.celeriac.examples.demo.DemoTasks;
import org.celeriac.task.Task;
import org.celeriac.task.TaskContext;

/**
 * Tasks for in-process workers on Redis, with the options a test exercises declared on them; each records what it
 * saw in static maps by a key of the test's own (in-process only: a worker process has none of this).
 */
public class OptionTasks {
    /** Each attempt of a key, in order. */
    static final Map<String, List<Attempt>> ATTEMPTS = new ConcurrentHashMap<>();
    /** Latches the holding tasks wait on, per key. */
    static final Map<String, CountDownLatch> RELEASE = new ConcurrentHashMap<>();
    /** Holding tasks running now and at most at once, per key. */
    static final Map<String, AtomicInteger> RUNNING = new ConcurrentHashMap<>();
    static final Map<String, AtomicInteger> MOST = new ConcurrentHashMap<>();

    /**
     * One attempt: when it started, when it raised (null if it did not), and its retry count, which comes with its
     * message (the {@code retries} header).
     */
    record Attempt(Instant started, Instant raised, int retries) {
    }

    static List<Attempt> attempts(String key) {
        return ATTEMPTS.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>());
    }

    static CountDownLatch release(String key) {
        return RELEASE.computeIfAbsent(key, k -> new CountDownLatch(1));
    }

    static int most(String key) {
        return MOST.computeIfAbsent(key, k -> new AtomicInteger()).get();
    }

    static int running(String key) {
        return RUNNING.computeIfAbsent(key, k -> new AtomicInteger()).get();
    }

    /** Lets every holding task go: for after a test that failed half way. */
    static void releaseAll() {
        RELEASE.values().forEach(CountDownLatch::countDown);
    }

    /** Records an attempt; {@code fails} whether it is about to raise. Returns its number, from 1. */
    private static int attempt(String key, TaskContext task, boolean fails) {
        Instant now = Instant.now();
        attempts(key).add(new Attempt(now, fails ? now : null, task.retries()));
        return attempts(key).size();
    }

    // --- retries

    /** Retries explicitly with a countdown of 100 ms until its context says {@code times} retries; answers them. */
    @Task(name = "o.retry", maxRetries = 10)
    public int retry(String key, int times, TaskContext task) {
        boolean again = task.retries() < times;
        attempt(key, task, again);
        if (again) {
            throw task.retry(Duration.ofMillis(100), null);
        }
        return task.retries();
    }

    /** Retries explicitly, with no cause, every time: fails once its two retries are used up. */
    @Task(name = "o.max_retries", maxRetries = 2)
    public int maxRetries(String key, TaskContext task) {
        attempt(key, task, true);
        throw task.retry(Duration.ofMillis(50), null);
    }

    /** Retries once with no countdown: the task's default delay, 1.5 s. */
    @Task(name = "o.default_delay", defaultRetryDelay = 1.5)
    public int defaultDelay(String key, TaskContext task) {
        boolean again = task.retries() == 0;
        attempt(key, task, again);
        if (again) {
            throw task.retry();
        }
        return task.retries();
    }

    /** Fails with IllegalStateException until attempt {@code succeedOn}, retried by itself 50 ms later each time. */
    @Task(name = "o.autoretry", autoretryFor = IllegalStateException.class, defaultRetryDelay = 0.05, maxRetries = 3)
    public int autoretry(String key, int succeedOn, TaskContext task) {
        boolean fails = attempts(key).size() + 1 < succeedOn;
        int n = attempt(key, task, fails);
        if (fails) {
            throw new IllegalStateException("attempt " + n);
        }
        return task.retries();
    }

    /** Throws what its autoretry does not cover. */
    @Task(name = "o.autoretry_other", autoretryFor = IllegalStateException.class, defaultRetryDelay = 0.05)
    public int autoretryOther(String key, TaskContext task) {
        attempt(key, task, true);
        throw new IllegalArgumentException("not retried");
    }

    /**
     * Fails its first three attempts; retried with a backoff of 1 s doubling each time (1, 2, 4 s), capped at 1 s,
     * without jitter.
     */
    @Task(name = "o.backoff_capped", autoretryFor = IllegalStateException.class, retryBackoff = 1,
            retryBackoffMax = 1, retryJitter = false)
    public int backoffCapped(String key, TaskContext task) {
        boolean fails = task.retries() < 3;
        attempt(key, task, fails);
        if (fails) {
            throw new IllegalStateException("attempt " + (task.retries() + 1));
        }
        return task.retries();
    }

    /** Fails its first attempt; retried after a backoff of 4 s without jitter. */
    @Task(name = "o.backoff_exact", autoretryFor = IllegalStateException.class, retryBackoff = 4, retryJitter = false)
    public int backoffExact(String key, TaskContext task) {
        return failOnce(key, task);
    }

    /** Fails its first attempt; retried after Celery's full jitter of a 4 s backoff: 0 to 4 whole seconds. */
    @Task(name = "o.backoff_jittered", autoretryFor = IllegalStateException.class, retryBackoff = 4)
    public int backoffJittered(String key, TaskContext task) {
        return failOnce(key, task);
    }

    private static int failOnce(String key, TaskContext task) {
        boolean fails = task.retries() == 0;
        attempt(key, task, fails);
        if (fails) {
            throw new IllegalStateException("first attempt");
        }
        return task.retries();
    }

    // --- time limits and routing

    /** Sleeps, within a soft time limit of its own of 0.5 s. */
    @Task(name = "o.soft_limited", softTimeLimit = 0.5)
    public double softLimited(double seconds) throws InterruptedException {
        Thread.sleep(Math.round(seconds * 1000));
        return seconds;
    }

    /** Ignores interrupts for {@code seconds}, within a hard time limit of its own of 1 s. */
    @Task(name = "o.hard_limited", timeLimit = 1)
    public double hardLimited(double seconds) {
        return new DemoTasks().uninterruptible(seconds).doubleValue(); // only the hard limit ends it
    }

    /** Sent to a queue of its own, {@code own}, when the call and the routes name none. */
    @Task(name = "o.own_queue", queue = "own")
    public String ownQueue(String value) {
        return value;
    }

    // --- holding tasks

    /** Runs until its key is released (at most 30 s), counting how many of its key run at once. */
    @Task(name = "o.hold")
    public String hold(String key) throws InterruptedException {
        int now = RUNNING.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        MOST.computeIfAbsent(key, k -> new AtomicInteger()).accumulateAndGet(now, Math::max);
        try {
            release(key).await(30, TimeUnit.SECONDS);
        } finally {
            RUNNING.get(key).decrementAndGet();
        }
        return key;
    }

    /** Acks late and waits for its release; Celery's default when the worker cuts it short. */
    @Task(name = "o.lost_failed", acksLate = Task.Toggle.ON)
    public String lostFailed(String key, TaskContext task) throws InterruptedException {
        attempt(key, task, false);
        release(key).await(30, TimeUnit.SECONDS);
        return "released";
    }

    /** Acks late and waits for its release; requeued when the worker cuts it short. */
    @Task(name = "o.lost_requeued", acksLate = Task.Toggle.ON, rejectOnWorkerLost = Task.Toggle.ON)
    public String lostRequeued(String key, TaskContext task) throws InterruptedException {
        return lostFailed(key, task);
    }
}
