package org.celeriac.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.TaskFailedException;
import org.celeriac.config.Settings;
import org.celeriac.discovery.ServiceLoaderCatalog;
import org.junit.jupiter.api.AfterEach;

/** Apps on the in-memory broker and backend with {@link ExecutionTasks}, closed after each test. */
abstract class ExecutionTestSupport {
    static final Duration WAIT = Duration.ofSeconds(20);

    private final ServiceLoaderCatalog plugins = new ServiceLoaderCatalog();
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        // Stuck tasks a failed test left would hold the worker's warm shutdown
        ExecutionTasks.RELEASE.values().forEach(java.util.concurrent.CountDownLatch::countDown);
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** An app with the given settings on a fresh in-memory broker and backend. */
    Celeriac app(String... settings) {
        Settings s = Celeriac.inMemory(UUID.randomUUID().toString());
        for (int i = 0; i < settings.length; i += 2) {
            s = s.with(settings[i], settings[i + 1]);
        }
        Celeriac a = Celeriac.open(s, plugins);
        a.tasks().register(ExecutionTasks.class);
        ExecutionTasks.backend = a.backend();
        open.add(a);
        return a;
    }

    /** Another app on the broker and backend of {@code app}: another connection, as another process would have. */
    Celeriac sameBroker(Celeriac app) {
        Celeriac a = Celeriac.open(app.settings(), plugins);
        a.tasks().register(ExecutionTasks.class);
        open.add(a);
        return a;
    }

    Worker startWorker(Celeriac on, WorkerOptions options) {
        Worker w = on.worker(options);
        open.add(w);
        w.start();
        return w;
    }

    Worker startWorker(Celeriac on, int concurrency) {
        return startWorker(on, on.workerOptions().withConcurrency(concurrency));
    }

    static TaskFailedException failure(AsyncResult r) {
        try {
            Object value = r.get(WAIT);
            throw new AssertionError("expected a failure, got " + value);
        } catch (TaskFailedException e) {
            return e;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String key() {
        return UUID.randomUUID().toString();
    }
}
