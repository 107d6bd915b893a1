package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.LongPredicate;
import java.util.stream.IntStream;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.config.Settings;
import org.celeriac.itests.CeleriacProcesses.Child;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * At-least-once with late acks, on each broker: {@code celeriac worker} processes killed with SIGKILL in the middle
 * of 5,000 tasks, after which every task has run and its own result is stored, and nothing is left on the queue.
 * A subclass gives the broker and backend; they are set up afresh for each test and used by no one else.
 */
abstract class WorkerCrashContract {
    static final String READY = "Stop with Ctrl-C";
    /** 0 to 4 ms each: the worker is mid-stream whenever it is killed. */
    static final SleepTasks TASKS = new SleepTasks(5_000, i -> (i % 5) / 1000.0);

    // Subclasses register their servers with @Order(1): after each test they stop last, once the workers are gone.
    @RegisterExtension
    @Order(2)
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @TempDir
    Path dir;

    /** The broker and backend under test, for one test, with {@code dir} for whatever they keep on disk. */
    abstract Setup setUp(Path dir) throws Exception;

    /** A broker and a backend of one test's own; closing removes what the test left there. */
    interface Setup extends AutoCloseable {
        /** The broker's URL, with a visibility timeout of a few seconds where the broker has one. */
        String broker();

        String backend();

        /** The results stored so far. */
        long storedResults() throws Exception;

        /** The messages on the test's queue, waiting or held unacked, once no worker runs. */
        long leftOnQueue() throws Exception;
    }

    @Test
    void noLateAckTaskIsLostWhenTheWorkerIsKilled() throws Exception {
        try (Setup setup = setUp(dir)) {
            List<String> ids = send(setup);
            String[] worker = worker(setup, "crash@%h");

            Child first = celeriac.start(dir, worker);
            first.awaitOutput(READY);
            await("results before the kill", setup::storedResults, n -> n >= TASKS.count() / 4);
            first.process().destroyForcibly();
            first.awaitExit();
            assertThat(setup.storedResults()).as("results when killed").isLessThan(TASKS.count());

            Child second = celeriac.start(dir, worker);
            second.awaitOutput(READY);
            await("results after another worker started", setup::storedResults, n -> n == TASKS.count());
            stopWarm(second);

            assertEverySucceededWithItsOwnResult(setup, ids);
            assertThat(setup.leftOnQueue()).as("messages left on the queue, waiting or unacked").isZero();
        }
    }

    @Test
    void noLateAckTaskIsLostWhenOneOfTwoWorkersIsKilledAgainAndAgain() throws Exception {
        try (Setup setup = setUp(dir)) {
            List<String> ids = send(setup);
            // The victim starts first: on the embedded default it then holds the database file that the other
            // worker reaches through it, so each kill takes the database's owner down too.
            Child victim = celeriac.start(dir, worker(setup, "victim@%h"));
            victim.awaitOutput(READY);
            Child steady = celeriac.start(dir, worker(setup, "steady@%h"));
            steady.awaitOutput(READY);
            for (int kill = 1; kill <= 3; kill++) {
                long before = TASKS.count() * kill / 5;
                await("results before kill " + kill, setup::storedResults, n -> n >= before);
                victim.process().destroyForcibly();
                victim.awaitExit();
                victim = celeriac.start(dir, worker(setup, "victim@%h"));
                victim.awaitOutput(READY);
            }
            await("results after the last kill", setup::storedResults, n -> n == TASKS.count());
            stopWarm(victim);
            stopWarm(steady);

            assertEverySucceededWithItsOwnResult(setup, ids);
            assertThat(setup.leftOnQueue()).as("messages left on the queue, waiting or unacked").isZero();
        }
    }

    private static String[] worker(Setup setup, String name) {
        return new String[] {"worker", "--acks-late", "-c", "4", "-n", name, "-Q", queue(),
            "--broker", setup.broker(), "--backend", setup.backend()};
    }

    /** One queue name for every test: each test has its broker to itself (or a queue deleted after it). */
    static String queue() {
        return "itest.crash";
    }

    /** Sends the tasks from an app of the test's own, closed before any worker starts. */
    private static List<String> send(Setup setup) {
        try (Celeriac app = open(setup)) {
            return TASKS.send(app.client()).stream().map(AsyncResult::id).toList();
        }
    }

    private static void assertEverySucceededWithItsOwnResult(Setup setup, List<String> ids) {
        try (Celeriac app = open(setup)) {
            IntStream.range(0, ids.size()).forEach(i -> {
                TaskResult r = app.client().result(ids.get(i)).result();
                assertThat(r.state()).as("task %d", i).isEqualTo(TaskState.SUCCESS);
                assertThat(((Number) r.result()).doubleValue()).as("task %d", i)
                        .isEqualTo(TASKS.seconds().applyAsDouble(i));
            });
        }
    }

    private static Celeriac open(Setup setup) {
        return Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, setup.broker(),
                Settings.RESULT_BACKEND, setup.backend(), Settings.TASK_DEFAULT_QUEUE, queue())));
    }

    /** SIGTERM: the worker finishes and acks what it runs, then exits 0. */
    private static void stopWarm(Child worker) throws InterruptedException {
        worker.process().destroy();
        assertThat(worker.awaitExit()).as(worker.err()).isZero();
    }

    /** Polls {@code value} until {@code done}; fails after the processes' wait. */
    static void await(String what, CheckedLongSupplier value, LongPredicate done) throws Exception {
        long deadline = System.nanoTime() + CeleriacProcesses.WAIT.toNanos();
        long now;
        while (!done.test(now = value.getAsLong())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": still " + now + " after " + CeleriacProcesses.WAIT);
            }
            Thread.sleep(50);
        }
    }

    @FunctionalInterface
    interface CheckedLongSupplier {
        long getAsLong() throws Exception;
    }
}
