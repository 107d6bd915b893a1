package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.junit.jupiter.api.AfterEach;

/**
 * For the tests of what remote control and task events call on a worker: apps with {@link ExecutionTasks},
 * {@link PoolTasks} and {@link TestTasks}, and a fresh key for the held {@code p.hold} tasks, released after each
 * test.
 */
abstract class ControlTestSupport extends ExecutionTestSupport {
    final String key = UUID.randomUUID().toString();

    @AfterEach
    void releaseHeldTasks() {
        PoolTasks.release(key).countDown();
    }

    @Override
    Celeriac app(String... settings) {
        Celeriac a = super.app(settings);
        a.tasks().register(PoolTasks.class);
        a.tasks().register(TestTasks.class);
        return a;
    }

    /** A task that runs until {@link #key} is released. */
    static AsyncResult hold(Celeriac app, String key) {
        return app.client().send("p.hold", List.of(key), Map.of());
    }

    static void waitUntil(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("condition still false after %s", WAIT).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    static List<String> ids(List<TaskRequest> requests) {
        return requests.stream().map(r -> r.task().id()).toList();
    }
}
