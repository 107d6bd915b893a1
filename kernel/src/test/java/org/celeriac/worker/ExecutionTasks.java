package org.celeriac.worker;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.task.SoftTimeLimitExceeded;
import org.celeriac.task.Task;
import org.celeriac.task.TaskContext;

/** Tasks with time limits, retry options and STARTED tracking. Tests pass fresh keys for the shared maps. */
public class ExecutionTasks {

    /** Attempts per key. */
    static final Map<String, AtomicInteger> RUNS = new ConcurrentHashMap<>();
    /** Latches a stubborn task waits on, per key. */
    static final Map<String, CountDownLatch> RELEASE = new ConcurrentHashMap<>();
    /** Counted down when a stubborn task returns, per key. */
    static final Map<String, CountDownLatch> RETURNED = new ConcurrentHashMap<>();
    /** The backend the tasks read their own state from, set by the test. */
    static volatile ResultBackend backend;

    private static int attempt(String key) {
        return RUNS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    @Task(name = "x.sleep")
    public double sleep(double seconds) throws InterruptedException {
        Thread.sleep(Math.round(seconds * 1000));
        return seconds;
    }

    @Task(name = "x.soft_sleep", softTimeLimit = 0.3)
    public double softSleep(double seconds) throws InterruptedException {
        return sleep(seconds);
    }

    @Task(name = "x.patient", softTimeLimit = 30)
    public double patient(double seconds) throws InterruptedException {
        return sleep(seconds);
    }

    /** Cleans up when the soft limit interrupts it, and answers. */
    @Task(name = "x.cleanup")
    public String cleanup(double seconds) {
        try {
            Thread.sleep(Math.round(seconds * 1000));
            return "slept";
        } catch (InterruptedException e) {
            return "cleaned up";
        }
    }

    /** Computes without blocking, asking the context whether its soft limit passed. */
    @Task(name = "x.spin")
    public String spin(boolean catchIt, TaskContext task) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try {
            while (System.nanoTime() < deadline) {
                task.checkSoftTimeLimit();
                Thread.onSpinWait();
            }
            return "ran out";
        } catch (SoftTimeLimitExceeded e) {
            if (catchIt) {
                return "caught SoftTimeLimitExceeded";
            }
            throw e;
        }
    }

    /** Ignores interrupts until the test releases it: code a soft limit cannot stop. Acks late. */
    @Task(name = "x.stubborn", acksLate = Task.Toggle.ON, timeLimit = 60)
    public String stubborn(String key) {
        attempt(key);
        CountDownLatch release = RELEASE.computeIfAbsent(key, k -> new CountDownLatch(1));
        try {
            while (true) {
                try {
                    if (release.await(30, TimeUnit.SECONDS)) {
                        return "released";
                    }
                } catch (InterruptedException e) {
                    // ignored on purpose
                }
            }
        } finally {
            RETURNED.computeIfAbsent(key, k -> new CountDownLatch(1)).countDown();
        }
    }

    /** Fails with IllegalStateException until attempt {@code succeedOn}; retried by itself 50 ms later. */
    @Task(name = "x.autoretry", autoretryFor = IllegalStateException.class, defaultRetryDelay = 0.05, maxRetries = 5)
    public int autoretry(String key, int succeedOn, TaskContext task) {
        int n = attempt(key);
        if (n < succeedOn) {
            throw new IllegalStateException("attempt " + n);
        }
        return task.retries();
    }

    /** Throws what autoretry does not cover. */
    @Task(name = "x.autoretry_other", autoretryFor = IllegalStateException.class, defaultRetryDelay = 0.05)
    public int autoretryOther(String key) {
        attempt(key);
        throw new IllegalArgumentException("not retried");
    }

    /** Fails once, retried after an exponential backoff of 1 s (no jitter). */
    @Task(name = "x.backoff", autoretryFor = IllegalStateException.class, retryBackoff = 1, retryJitter = false)
    public int backoff(String key, TaskContext task) {
        if (attempt(key) == 1) {
            throw new IllegalStateException("first attempt");
        }
        return task.retries();
    }

    /** Backoff with Celery's default full jitter. */
    @Task(name = "x.jitter", autoretryFor = IllegalStateException.class, retryBackoff = 1)
    public void jitter() {
        throw new IllegalStateException("never run by the tests");
    }

    /** Retries once without a countdown, so after its default delay of 1 s; answers its retries. */
    @Task(name = "x.default_delay", defaultRetryDelay = 1)
    public int defaultDelay(TaskContext task) {
        if (task.retries() == 0) {
            throw task.retry();
        }
        return task.retries();
    }

    /** Retries once at once; the second attempt answers the state stored for it when it started. */
    @Task(name = "x.retry_now")
    public String retryNow(TaskContext task) {
        if (task.retries() == 0) {
            throw task.retry(Duration.ZERO, new IllegalStateException("again"));
        }
        return ownState(task);
    }

    @Task(name = "x.started", trackStarted = Task.Toggle.ON)
    public Object started(TaskContext task) {
        return ownResult(task);
    }

    @Task(name = "x.untracked", trackStarted = Task.Toggle.OFF)
    public String untracked(TaskContext task) {
        return ownState(task);
    }

    @Task(name = "x.own_state")
    public String ownStateTask(TaskContext task) {
        return ownState(task);
    }

    @Task(name = "x.ignored_fail", ignoreResult = true)
    public void ignoredFail() {
        throw new IllegalStateException("ignored failure");
    }

    @Task(name = "x.ignored_fail_stored", ignoreResult = true, storeErrorsEvenIfIgnored = Task.Toggle.ON)
    public void ignoredFailStored() {
        throw new IllegalStateException("stored failure");
    }

    @Task(name = "x.ignored_ok", ignoreResult = true, storeErrorsEvenIfIgnored = Task.Toggle.ON)
    public String ignoredOk() {
        return "not stored";
    }

    /** Acks late, waits for the test's release; requeued when the worker cuts it short. */
    @Task(name = "x.lost_requeued", acksLate = Task.Toggle.ON, rejectOnWorkerLost = Task.Toggle.ON)
    public String lostRequeued(String key) throws InterruptedException {
        return waitForRelease(key);
    }

    /** Acks late, waits for the test's release; Celery's default when the worker cuts it short. */
    @Task(name = "x.lost_failed", acksLate = Task.Toggle.ON)
    public String lostFailed(String key) throws InterruptedException {
        return waitForRelease(key);
    }

    /** Acks late, waits for the test's release; retries by itself when interrupted. */
    @Task(name = "x.autoretry_interrupted", acksLate = Task.Toggle.ON, autoretryFor = InterruptedException.class,
            defaultRetryDelay = 0)
    public String autoretryInterrupted(String key) throws InterruptedException {
        return waitForRelease(key);
    }

    /** Acks late, waits for the test's release; asks for a retry when interrupted. */
    @Task(name = "x.retry_interrupted", acksLate = Task.Toggle.ON)
    public String retryInterrupted(String key, TaskContext task) {
        try {
            return waitForRelease(key);
        } catch (InterruptedException e) {
            throw task.retry(Duration.ZERO, e);
        }
    }

    /** Marks its key started, then sleeps: a task running normally. */
    @Task(name = "x.started_sleep")
    public String startedSleep(String key, double seconds) throws InterruptedException {
        attempt(key);
        RETURNED.computeIfAbsent(key, k -> new CountDownLatch(1)).countDown(); // here: it has started
        Thread.sleep(Math.round(seconds * 1000));
        return "slept";
    }

    private static String waitForRelease(String key) throws InterruptedException {
        attempt(key);
        RETURNED.computeIfAbsent(key, k -> new CountDownLatch(1)).countDown(); // here: it has started
        RELEASE.computeIfAbsent(key, k -> new CountDownLatch(1)).await();
        return "released";
    }

    private static String ownState(TaskContext task) {
        return backend.get(task.id()).map(r -> r.state().name()).orElse("PENDING");
    }

    private static Object ownResult(TaskContext task) {
        return backend.get(task.id()).map(TaskResult::result).orElse(null);
    }
}
