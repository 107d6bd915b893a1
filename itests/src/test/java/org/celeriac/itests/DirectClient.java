package org.celeriac.itests;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.config.Settings;
import org.celeriac.discovery.ServiceLoaderCatalog;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;

/**
 * A client in the test's own JVM on the embedded database of a working directory: the one the child
 * processes there use as {@code sql://}. Sends many tasks and watches results faster than a JVM per call.
 */
final class DirectClient implements AutoCloseable {

    private final Celeriac app;

    private DirectClient(Celeriac app) {
        this.app = app;
    }

    static DirectClient open(Path workDir) {
        String url = "sql:file:" + workDir.resolve("celeriac-data/celeriac").toAbsolutePath();
        return new DirectClient(Celeriac.open(
                Settings.of(Map.of(Settings.BROKER_URL, url, Settings.RESULT_BACKEND, url)), new ServiceLoaderCatalog()));
    }

    String send(String task, Object... args) {
        return app.client().send(task, Arrays.asList(args), Map.of()).id();
    }

    TaskResult result(String id) {
        return app.client().result(id).result();
    }

    TaskState state(String id) {
        return result(id).state();
    }

    long count(List<String> ids, TaskState state) {
        return ids.stream().filter(id -> state(id) == state).count();
    }

    /** Waits until at least {@code n} of the tasks are in {@code state}; fails after the processes' wait. */
    void awaitCount(List<String> ids, TaskState state, long n) throws InterruptedException {
        long deadline = System.nanoTime() + CeleriacProcesses.WAIT.toNanos();
        long reached;
        while ((reached = count(ids, state)) < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + reached + " of " + ids.size() + " tasks reached " + state
                        + " within " + CeleriacProcesses.WAIT + ", not " + n);
            }
            Thread.sleep(50);
        }
    }

    void awaitAll(List<String> ids, TaskState state) throws InterruptedException {
        awaitCount(ids, state, ids.size());
    }

    @Override
    public void close() {
        app.close();
    }
}
