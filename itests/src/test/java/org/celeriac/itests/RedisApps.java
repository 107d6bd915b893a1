package org.celeriac.itests;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.TaskFailedException;
import org.celeriac.config.Settings;
import org.celeriac.examples.demo.DemoTasks;
import org.celeriac.worker.DispatchOptions;
import org.celeriac.worker.Worker;
import org.celeriac.worker.WorkerOptions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import redis.clients.jedis.Jedis;

/**
 * Apps on a {@link TestRedis} (broker db 0, backend db 1, both flushed before each test), each with a connection of
 * its own as another process would have, and in-process workers on them: all closed after each test, newest
 * first. Register it as an instance field after the class's {@code TestRedis}. Also the waits the in-process Redis
 * tests share.
 */
final class RedisApps implements BeforeEachCallback, AfterEachCallback {
    static final Duration WAIT = Duration.ofSeconds(30);

    private final TestRedis redis;
    private final String brokerQuery;
    private final List<Class<?>> tasks;
    private final List<AutoCloseable> open = new ArrayList<>();

    /**
     * Apps with a visibility timeout of 2 s: a message a dying connection took is restored soon, whatever happens.
     *
     * @param tasks task classes each app registers, besides the demo tasks
     */
    RedisApps(TestRedis redis, Class<?>... tasks) {
        this(redis, "?visibility_timeout=2", tasks);
    }

    /**
     * @param brokerQuery the broker URL's query, {@code ""} for the transport's defaults. Every client and worker on
     *                    one Redis should have the same visibility timeout, as with kombu: any of them restores the
     *                    messages unacked for longer than its own, even those another still runs.
     * @param tasks       task classes each app registers, besides the demo tasks
     */
    RedisApps(TestRedis redis, String brokerQuery, Class<?>... tasks) {
        this.redis = redis;
        this.brokerQuery = brokerQuery;
        this.tasks = List.of(tasks);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        redis.flush(0, 1);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Exception first = null;
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        open.clear();
        if (first != null) {
            throw first;
        }
    }

    /** An app of its own: a connection of its own, as another process would have. */
    Celeriac app() {
        return app(Map.of());
    }

    Celeriac app(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put(Settings.BROKER_URL, brokerUrl());
        all.put(Settings.RESULT_BACKEND, backendUrl());
        Celeriac app = Celeriac.open(Settings.of(all));
        app.tasks().register(DemoTasks.class);
        tasks.forEach(app.tasks()::register);
        open.add(app);
        return app;
    }

    /** The apps' broker URL, for worker processes to share their settings. */
    String brokerUrl() {
        return redis.url(0) + brokerQuery;
    }

    String backendUrl() {
        return redis.url(1);
    }

    /** A started worker with a short shutdown timeout; stopped after the test. */
    Worker worker(Celeriac app, int concurrency, boolean acksLate, DispatchOptions dispatch) {
        return worker(app, app.workerOptions().withConcurrency(concurrency).withAcksLate(acksLate)
                .withShutdownTimeout(Duration.ofMillis(100)), dispatch);
    }

    /** A started worker; stopped after the test. */
    Worker worker(Celeriac app, WorkerOptions options, DispatchOptions dispatch) {
        Worker w = app.worker(options, dispatch);
        open.add(w);
        w.start();
        return w;
    }

    /** The broker's database; the caller closes it. */
    Jedis broker() {
        return redis.client(0);
    }

    /** Messages waiting on a queue (a Redis list). */
    long queued(String queue) {
        try (Jedis j = broker()) {
            return j.llen(queue);
        }
    }

    /** Messages taken by a consumer and not yet acknowledged. */
    long unacked() {
        try (Jedis j = broker()) {
            return j.hlen("unacked");
        }
    }

    static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    static TaskFailedException failure(AsyncResult r) throws Exception {
        try {
            throw new AssertionError("expected a failure, got " + r.get(WAIT));
        } catch (TaskFailedException e) {
            return e;
        }
    }
}
