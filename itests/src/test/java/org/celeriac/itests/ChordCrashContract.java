package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.celeriac.app.Celeriac;
import org.celeriac.canvas.Canvas;
import org.celeriac.canvas.Chord;
import org.celeriac.canvas.Group;
import org.celeriac.canvas.Signature;
import org.celeriac.client.AsyncResult;
import org.celeriac.itests.CeleriacProcesses.Child;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The criterion, on real worker processes: a chord of a thousand header tasks fires its body once, with
 * every member's result in header order, also when a late-ack worker running the header's last members is killed
 * with SIGKILL: never twice, never lost. Two {@code celeriac worker --acks-late} processes run the header; the client
 * is this JVM's. How often the body ran is read from every worker's log, the killed one's included: Celeriac logs
 * {@code Task NAME[ID] succeeded in N ms} once per run. Subclasses say which broker and result backend, each with a
 * visibility timeout of seconds, so that what a killed worker held comes back soon.
 */
@Timeout(180)
abstract class ChordCrashContract {
    static final String READY = "Stop with Ctrl-C";
    static final int SIZE = 1_000;
    /** The last members of the second test's header, which sleep: the ones in flight when a worker is killed. */
    static final int SLOW = 10;
    /** Seconds a slow member sleeps at least: the kill lands well within it. */
    static final double SLOW_SECONDS = 2.0;
    /** Short, so that what a killed worker held comes back within seconds; the same for broker and clients. */
    static final int VISIBILITY_TIMEOUT = 5;

    // After the subclass's servers (order 1) in registration, so that after each test its processes stop first.
    @RegisterExtension
    @Order(2)
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @TempDir
    Path dir;

    /**
     * Starts what the broker and backend need and opens this test's client on them, before any worker starts (on the
     * embedded default this JVM thus serves the database, and no kill moves it).
     */
    abstract Celeriac openClient() throws Exception;

    /** The flags that give a worker this test's broker and backend. */
    abstract List<String> connection();

    /** Messages of the default queue waiting or held by a worker (given out, not acked yet). */
    abstract long messagesLeft() throws Exception;

    @Test
    void chordOfAThousandTasksFiresItsBodyOnceWithEveryResultInOrder() throws Exception {
        try (Celeriac app = openClient()) {
            List<Child> workers = List.of(worker("a"), worker("b"));
            for (Child w : workers) {
                w.awaitOutput(READY);
            }
            List<Canvas> header = new ArrayList<>();
            List<Object> expected = new ArrayList<>();
            for (int i = 0; i < SIZE; i++) {
                header.add(Signature.of("demo.add", i, 0));
                expected.add((long) i);
            }

            AsyncResult body = app.client().apply(Chord.of(Group.of(header), Signature.of("demo.echo")));

            assertFiredOnceWith(body, expected, workers);
        }
    }

    /**
     * Members 0 to 989 add, the last ten sleep two seconds and more (each answering its own number of seconds), so
     * that the header's last members are in flight for seconds while the quick ones are done. Workers store STARTED
     * with their process id ({@code task_track_started}), which tells the test which worker runs a last member: that
     * one is killed, with SIGKILL, while that member sleeps. It holds more: maybe other last members, started or
     * taken ahead, maybe a member whose outcome it reported to the join and did not ack yet. Every such message comes
     * back to the other worker after the visibility timeout and runs again there, as does one the join counted
     * already (a member reporting twice is counted once); the member completing the join, whichever it is, sends the
     * body. Whatever the timing, the body runs once with all thousand results in order.
     */
    @Test
    void chordBodyFiresOnceWhenTheWorkerHoldingItsLastMembersIsKilled() throws Exception {
        try (Celeriac app = openClient()) {
            List<Child> workers = List.of(worker("a"), worker("b"));
            for (Child w : workers) {
                w.awaitOutput(READY);
            }
            List<Canvas> header = new ArrayList<>();
            List<Object> expected = new ArrayList<>();
            for (int i = 0; i < SIZE - SLOW; i++) {
                header.add(Signature.of("demo.add", i, 0));
                expected.add((long) i);
            }
            for (int i = 0; i < SLOW; i++) {
                double seconds = SLOW_SECONDS + i / 10.0;
                header.add(Signature.of("demo.sleep", seconds));
                expected.add(seconds);
            }

            AsyncResult body = app.client().apply(Chord.of(Group.of(header), Signature.of("demo.echo")));
            List<AsyncResult> last = body.parentGroup().orElseThrow().results().subList(SIZE - SLOW, SIZE);

            long victimPid = awaitStartedLastMember(last);
            Child victim = workers.stream().filter(w -> w.process().pid() == victimPid).findFirst()
                    .orElseThrow(() -> new AssertionError("no worker of this test has pid " + victimPid));
            victim.process().destroyForcibly(); // kill -9: nothing acked, stored or reported after this
            victim.awaitExit();

            assertThat(body.state()).as("the body's state once a last member's worker is killed")
                    .isEqualTo(TaskState.PENDING);
            assertThat(last.stream().filter(r -> r.state() == TaskState.SUCCESS).count())
                    .as("last members done when the worker running one of them was killed").isLessThan(SLOW);

            assertFiredOnceWith(body, expected, workers);
            assertThat(victim.err()).as("the killed worker's log").doesNotContain("Task demo.echo[" + body.id() + "]");
        }
    }

    /** A worker process on this test's broker, its own node name, late acks, and STARTED stored with its pid. */
    Child worker(String name) throws Exception {
        Path config = dir.resolve("worker.properties");
        if (!Files.exists(config)) {
            Files.writeString(config, "task_track_started=true\n", StandardCharsets.UTF_8);
        }
        List<String> args = new ArrayList<>(List.of("worker", "--acks-late", "-c", "4", "-n", name + "@chord",
                "--config", config.toString()));
        args.addAll(connection());
        return celeriac.start(dir, args.toArray(String[]::new));
    }

    /** Waits until one of {@code last} is STARTED; returns the pid of the worker running it. */
    private static long awaitStartedLastMember(List<AsyncResult> last) throws InterruptedException {
        long deadline = System.nanoTime() + CeleriacProcesses.WAIT.toNanos();
        while (true) {
            for (AsyncResult r : last) {
                TaskResult t = r.result();
                if (t.state() == TaskState.STARTED && t.result() instanceof Map<?, ?> meta
                        && meta.get("pid") instanceof Number pid) {
                    return pid.longValue();
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no last member started within " + CeleriacProcesses.WAIT + ": "
                        + last.stream().map(r -> r.state().name()).collect(Collectors.joining(", ")));
            }
            Thread.sleep(10);
        }
    }

    /**
     * The body succeeds with every member's result in header order ({@code demo.echo} answers {@code [args,
     * kwargs]}, its one argument the results); once nothing is left queued or held, the workers' logs show that it
     * ran once.
     */
    private void assertFiredOnceWith(AsyncResult body, List<Object> expected, List<Child> workers)
            throws Exception {
        Object echoed = body.get(CeleriacProcesses.WAIT);
        assertThat(echoed).isInstanceOf(List.class);
        List<?> args = (List<?>) ((List<?>) echoed).get(0);
        assertThat(args).as("the body's arguments").hasSize(1);
        assertThat(normalized((List<?>) args.get(0))).as("the results the body got").isEqualTo(expected);

        // Nothing queued or held any more: no message is left that could run the body again.
        WorkerCrashContract.await("messages queued or held", this::messagesLeft, n -> n == 0);
        assertThat(body.state()).isEqualTo(TaskState.SUCCESS);

        Pattern ran = Pattern.compile("Task demo\\.echo\\[" + Pattern.quote(body.id()) + "\\] succeeded");
        int runs = 0;
        for (Child w : workers) {
            for (Matcher m = ran.matcher(w.err()); m.find(); ) {
                runs++;
            }
        }
        assertThat(runs).as("runs of the body %s in the logs of %s", body.id(),
                workers.stream().map(Child::name).toList()).isEqualTo(1);
        for (Child w : workers) {
            assertThat(w.err()).as("the log of %s", w.name()).doesNotContain(" ERROR ");
        }
    }

    /** Integers as longs, other numbers as doubles: what the results are, whichever type JSON gave them. */
    private static List<Object> normalized(List<?> values) {
        List<Object> out = new ArrayList<>(values.size());
        for (Object v : values) {
            if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof BigInteger) {
                out.add(((Number) v).longValue());
            } else if (v instanceof Number n) {
                out.add(n.doubleValue());
            } else {
                out.add(v);
            }
        }
        return out;
    }
}
