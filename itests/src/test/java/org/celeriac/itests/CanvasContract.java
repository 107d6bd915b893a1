package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.celeriac.app.Celeriac;
import org.celeriac.canvas.Canvas;
import org.celeriac.canvas.Chain;
import org.celeriac.canvas.Chord;
import org.celeriac.canvas.Group;
import org.celeriac.canvas.Signature;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.GroupResult;
import org.celeriac.client.TaskFailedException;
import org.celeriac.config.Settings;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.worker.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Chains, groups, chords and Celery's canvas builtins on a real broker and result backend: each primitive with its
 * failure path, and what Celeriac adds (every outcome, chain steps after a failed chord). Client and worker run in the
 * test JVM, each on an app of its own (its own connections, as separate processes would have); the worker runs four
 * tasks at a time. The chord join is the backend's own ({@code ChordJoin}).
 */
abstract class CanvasContract {
    /** Generous: the tests wait for outcomes, never time them. */
    static final Duration WAIT = Duration.ofSeconds(60);
    /** How long a test lets a worker go on before it checks that something did not happen (again). */
    private static final Duration SETTLE = Duration.ofMillis(500);

    private final List<AutoCloseable> open = new ArrayList<>();
    private Settings settings;
    /** The client's app; the worker has one of its own. */
    Celeriac app;

    /**
     * The broker and backend under test, empty. Called once before each test, before anything connects to them.
     */
    abstract Map<String, String> freshConnection() throws Exception;

    @BeforeEach
    void startWorker() throws Exception {
        settings = Settings.of(freshConnection());
        Celeriac workerApp = open();
        Worker worker = workerApp.worker(workerApp.workerOptions().withConcurrency(4)
                .withShutdownTimeout(Duration.ofSeconds(10)));
        open.add(worker);
        worker.start();
        app = open();
    }

    @AfterEach
    void closeAll() throws Exception {
        CanvasContractTasks.releaseAll();
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

    private Celeriac open() {
        Celeriac a = Celeriac.open(settings);
        a.tasks().register(CanvasContractTasks.class);
        open.add(a);
        return a;
    }

    // --- beyond the primitives -----------------------------------------------------------------------------------

    @Test
    void chainIntoAGroupPassesTheResultToEachMember() throws Exception {
        GroupResult g = app.client().applyGroup(Chain.of(add(1, 1), Group.of(add(10), add(20),
                Signature.of("cc.first"))));

        assertThat(g.get(WAIT)).containsExactly(12, 22, 2);
    }

    @Test
    void chainStepsAfterAFailedChordFailWithItsChordError() throws Exception {
        AsyncResult last = app.client().apply(Chain.of(Group.of(add(1, 1), Signature.of("cc.fail", "in header")),
                Signature.of("cc.first"), add(1)));

        assertThat(failure(last).getMessage()).contains("ChordError");
        assertThat(last.parent().orElseThrow().state()).isEqualTo(TaskState.FAILURE);
    }

    @Test
    void chordAskingForEveryOutcomeRunsItsBodyWithFailuresIncluded() throws Exception {
        AsyncResult body = app.client().apply(Chord.of(Group.of(add(1, 2), Signature.of("cc.fail", "x"),
                Signature.of("cc.slow", "late", 0.3)), Signature.of("cc.first")).withEveryOutcome());

        List<?> outcomes = (List<?>) body.get(WAIT);
        List<AsyncResult> members = body.parentGroup().orElseThrow().results();
        assertThat(outcomes).hasSize(3);
        assertThat(outcomes.get(0)).isEqualTo(Map.of("task_id", members.get(0).id(), "status", "SUCCESS",
                "result", 3));
        Map<?, ?> failed = (Map<?, ?>) outcomes.get(1);
        assertThat(failed.get("status")).isEqualTo("FAILURE");
        assertThat(failed.get("task_id")).isEqualTo(members.get(1).id());
        assertThat(((Map<?, ?>) failed.get("result")).get("exc_type")).isEqualTo("IllegalStateException");
        assertThat(((Map<?, ?>) outcomes.get(2)).get("result")).isEqualTo("late");
    }

    @Test
    void expiredHeaderTaskFailsTheChord() throws Exception {
        AsyncResult body = app.client().apply(Chord.of(Group.of(Signature.of("cc.slow", 1, 0.1)
                .expires(java.time.Instant.now().minusSeconds(5))), Signature.of("cc.first")));

        assertThat(failure(body).getMessage()).contains("ChordError").contains("TaskRevokedError");
    }

    // --- chain -------------------------------------------------------------------------------------------------

    @Test
    void chainPassesEachResultAsTheNextTasksFirstArgumentAndItsResultWalksBackToTheFirst() throws Exception {
        AsyncResult r = app.client().apply(Chain.of(add(2, 2), add(4), add(8)));

        assertThat(r.get(WAIT)).isEqualTo(16);
        AsyncResult second = r.parent().orElseThrow();
        assertThat(second.get(WAIT)).isEqualTo(8);
        AsyncResult first = second.parent().orElseThrow();
        assertThat(first.get(WAIT)).isEqualTo(4);
        assertThat(first.parent()).isEmpty();
        assertThat(List.of(first.id(), second.id(), r.id())).doesNotHaveDuplicates();
    }

    @Test
    void immutableStepIgnoresThePreviousResult() throws Exception {
        AsyncResult r = app.client().apply(add(1, 1).then(Signature.immutable("cc.add", 10, 10)));

        assertThat(r.get(WAIT)).isEqualTo(20);
        assertThat(r.parent().orElseThrow().get(WAIT)).isEqualTo(2);
    }

    @Test
    void failedStepStopsTheChainFailsTheLaterStepsAndCallsTheErrbackOnceWithItsId() throws Exception {
        String errback = key();
        Chain chain = Chain.of(add(1, 1), Signature.of("cc.fail"), add(1), add(2))
                .withOptions(Map.of("link_error", List.of(record(errback).toDict())));

        AsyncResult last = app.client().apply(chain);

        TaskFailedException e = failure(last);
        assertThat(e.getMessage()).contains("failed on purpose: 2");
        AsyncResult third = last.parent().orElseThrow();
        AsyncResult failed = third.parent().orElseThrow();
        AsyncResult first = failed.parent().orElseThrow();
        assertThat(first.get(WAIT)).isEqualTo(2);
        assertThat(failed.state()).isEqualTo(TaskState.FAILURE);
        assertThat(third.state()).isEqualTo(TaskState.FAILURE);
        assertThat(last.state()).isEqualTo(TaskState.FAILURE);
        eventually(() -> assertThat(CanvasContractTasks.RECORDED.get(errback)).containsExactly(failed.id()));
        Thread.sleep(SETTLE.toMillis());
        assertThat(CanvasContractTasks.RECORDED.get(errback)).containsExactly(failed.id());
    }

    // --- link and link_error -----------------------------------------------------------------------------------

    @Test
    void linkSendsTheCallbackWithTheResultAndLinkErrorTheErrbackWithTheFailedId() throws Exception {
        String ok = key();
        String bad = key();
        String notCalled = key();

        AsyncResult succeeded = app.client().apply(add(20, 22).link(record(ok)).linkError(record(notCalled)));
        AsyncResult failed = app.client().apply(Signature.of("cc.fail", "x").link(record(notCalled))
                .linkError(record(bad)));

        assertThat(succeeded.get(WAIT)).isEqualTo(42);
        assertThat(failure(failed).getMessage()).contains("failed on purpose: x");
        eventually(() -> {
            assertThat(CanvasContractTasks.RECORDED.get(ok)).containsExactly(42);
            assertThat(CanvasContractTasks.RECORDED.get(bad)).containsExactly(failed.id());
        });
        Thread.sleep(SETTLE.toMillis());
        assertThat(CanvasContractTasks.RECORDED.get(notCalled)).isNull();
    }

    // --- group -------------------------------------------------------------------------------------------------

    @Test
    void groupGivesEachResultInGroupOrderAndIsSavedRestoredAndDeletedById() throws Exception {
        GroupResult g = app.client().apply(Group.of(
                Signature.of("cc.slow", "a", 0.3), Signature.of("cc.slow", "b", 0.0), Signature.of("cc.slow", "c", 0.1)));

        assertThat(g.get(WAIT)).containsExactly("a", "b", "c");
        assertThat(g.ready()).isTrue();
        assertThat(g.completedCount()).isEqualTo(3);
        assertThat(g.successful()).isTrue();
        assertThat(g.failed()).isFalse();

        assertThat(app.client().restoreGroup(g.id())).isEmpty();
        g.save(Duration.ofMinutes(5));
        GroupResult restored = app.client().restoreGroup(g.id()).orElseThrow();
        assertThat(restored.id()).isEqualTo(g.id());
        assertThat(restored.results()).extracting(AsyncResult::id)
                .containsExactlyElementsOf(g.results().stream().map(AsyncResult::id).toList());
        assertThat(restored.get(WAIT)).containsExactly("a", "b", "c");

        restored.delete();
        assertThat(app.client().restoreGroup(g.id())).isEmpty();
    }

    @Test
    void groupWithAFailedMemberFailsThatMemberOnlyAndCountsTheOthersCompleted() throws Exception {
        GroupResult g = app.client().apply(Group.of(add(1, 1), Signature.of("cc.fail", "member"),
                Signature.of("cc.slow", "c", 0.2)));

        TaskFailedException e = failureOf(g);
        assertThat(e.taskId()).isEqualTo(g.results().get(1).id());
        assertThat(e.getMessage()).contains("failed on purpose: member");
        eventually(() -> assertThat(g.ready()).isTrue());
        assertThat(g.failed()).isTrue();
        assertThat(g.successful()).isFalse();
        assertThat(g.completedCount()).isEqualTo(2);
        assertThat(g.results().get(0).get(WAIT)).isEqualTo(2);
        assertThat(g.results().get(2).get(WAIT)).isEqualTo("c");
    }

    // --- chord -------------------------------------------------------------------------------------------------

    @Test
    void chordOfAHundredRunsItsBodyOnceWithEveryResultInHeaderOrder() throws Exception {
        int n = 100;
        List<Canvas> header = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            header.add(Signature.of("cc.slow", i, (n - i) % 7 / 100.0)); // finishing out of order
        }
        String body = key();
        String callback = key();
        List<Integer> expected = IntStream.range(0, n).boxed().toList();

        AsyncResult r = app.client().apply(Chord.of(Group.of(header), record(body))
                .withOptions(Map.of("link", List.of(record(callback).toDict()))));

        assertThat(r.get(WAIT)).isEqualTo(expected);
        GroupResult headerResult = r.parentGroup().orElseThrow();
        assertThat(headerResult.results()).hasSize(n);
        assertThat(headerResult.get(WAIT)).isEqualTo(new ArrayList<>(expected));
        eventually(() -> assertThat(CanvasContractTasks.RECORDED.get(callback)).containsExactly(expected));
        Thread.sleep(SETTLE.toMillis());
        assertThat(CanvasContractTasks.RECORDED.get(body)).containsExactly(expected);
        assertThat(CanvasContractTasks.RECORDED.get(callback)).hasSize(1);
    }

    @Test
    void failedHeaderMemberFailsTheChordAtOnceWithChordErrorNamingItAndCallsTheBodysErrback() throws Exception {
        String gate = key();
        String body = key();
        String errback = key();
        Chord chord = Chord.of(Group.of(Signature.of("cc.block", 1, gate), Signature.of("cc.fail", "member"),
                add(1, 1)), record(body).linkError(record(errback)));

        AsyncResult r = app.client().apply(chord);

        TaskFailedException e = failure(r);
        GroupResult header = r.parentGroup().orElseThrow();
        String failedId = header.results().get(1).id();
        assertThat(e.taskId()).isEqualTo(r.id());
        assertThat(e.exception().type()).isEqualTo("ChordError");
        assertThat(e.getMessage()).contains("Dependency " + failedId + " raised");
        eventually(() -> assertThat(CanvasContractTasks.RECORDED.get(errback)).containsExactly(r.id()));
        assertThat(header.results().get(0).ready()).as("the body did not wait for the blocked member").isFalse();

        // The blocked member ends after the chord failed: its report neither runs the body nor fails it again.
        CanvasContractTasks.release(gate);
        assertThat(header.results().get(0).get(WAIT)).isEqualTo(1);
        assertThat(header.results().get(2).get(WAIT)).isEqualTo(2);
        Thread.sleep(SETTLE.toMillis());
        assertThat(r.state()).isEqualTo(TaskState.FAILURE);
        assertThat(failure(r).exception().type()).isEqualTo("ChordError");
        assertThat(CanvasContractTasks.RECORDED.get(body)).as("body calls").isNull();
        assertThat(CanvasContractTasks.RECORDED.get(errback)).containsExactly(r.id());
    }

    @Test
    void groupFollowedByATaskIsAChordAndTheChainGoesOnAfterIt() throws Exception {
        String recorded = key();

        AsyncResult r = app.client().apply(Chain.of(add(1, 1), Group.of(add(10), add(20)),
                Signature.of("cc.first"), record(recorded)));

        assertThat(r.get(WAIT)).isEqualTo(List.of(12, 22));
        AsyncResult body = r.parent().orElseThrow();
        assertThat(body.get(WAIT)).isEqualTo(List.of(12, 22));
        assertThat(body.parentGroup().orElseThrow().get(WAIT)).containsExactly(12, 22);
        assertThat(CanvasContractTasks.RECORDED.get(recorded)).containsExactly(List.of(12, 22));
    }

    @Test
    void groupFollowedByATaskFailsItsBodyWithChordErrorAndCallsTheChainsErrbackWithTheBodysId() throws Exception {
        String body = key();
        String errback = key();
        Chain chain = Chain.of(add(1, 1), Group.of(add(10), Signature.of("cc.fail")), record(body))
                .withOptions(Map.of("link_error", List.of(record(errback).toDict())));

        AsyncResult r = app.client().apply(chain);

        TaskFailedException e = failure(r);
        String failedId = r.parentGroup().orElseThrow().results().get(1).id();
        assertThat(e.exception().type()).isEqualTo("ChordError");
        assertThat(e.getMessage()).contains("Dependency " + failedId + " raised");
        eventually(() -> assertThat(CanvasContractTasks.RECORDED.get(errback)).containsExactly(r.id()));
        assertThat(CanvasContractTasks.RECORDED.get(body)).isNull();
    }

    @Test
    void chordInsideAChordsHeaderReportsItsBodysResult() throws Exception {
        Chord inner = Chord.of(Group.of(add(1, 1), add(2, 2)), Signature.of("cc.first"));
        Chord outer = Chord.of(Group.of(inner, add(3, 3)), Signature.of("cc.first"));

        assertThat(app.client().apply(outer).get(WAIT)).isEqualTo(List.of(List.of(2, 4), 6));
    }

    @Test
    void chainInsideAGroupInsideAChordReportsWhenItsLastTaskEnds() throws Exception {
        Chord chord = Chord.of(Group.of(Chain.of(add(1, 1), add(1), add(1)), add(5, 5),
                Chain.of(Signature.of("cc.slow", 7, 0.2), add(1))), Signature.of("cc.first"));

        AsyncResult r = app.client().apply(chord);

        assertThat(r.get(WAIT)).isEqualTo(List.of(4, 10, 8));
        assertThat(r.parentGroup().orElseThrow().results()).hasSize(3);
    }

    @Test
    void chainInsideAChordsHeaderFailingEarlyFailsTheChordNamingTheChainsResult() throws Exception {
        String body = key();
        String errback = key();
        Chord chord = Chord.of(Group.of(Chain.of(Signature.of("cc.fail", "inner"), add(1), add(1)), add(5, 5)),
                record(body).linkError(record(errback)));

        AsyncResult r = app.client().apply(chord);

        TaskFailedException e = failure(r);
        AsyncResult chainResult = r.parentGroup().orElseThrow().results().get(0);
        assertThat(e.exception().type()).isEqualTo("ChordError");
        assertThat(e.getMessage()).contains("Dependency " + chainResult.id() + " raised");
        assertThat(failure(chainResult).getMessage()).contains("failed on purpose: inner");
        eventually(() -> assertThat(CanvasContractTasks.RECORDED.get(errback)).containsExactly(r.id()));
        assertThat(CanvasContractTasks.RECORDED.get(body)).isNull();
    }

    @Test
    void chordWithAnEmptyHeaderRunsItsBodyWithAnEmptyList() throws Exception {
        assertThat(app.client().apply(Chord.of(Group.of(), Signature.of("cc.first"))).get(WAIT)).isEqualTo(List.of());
    }

    // --- Celery's builtins -------------------------------------------------------------------------------------

    @Test
    void celeryStarmapAndMapCallTheTaskForEachItem() throws Exception {
        AsyncResult starmap = app.client().send("celery.starmap", List.of(),
                Map.of("task", add().toDict(), "it", List.of(List.of(1, 2), List.of(3, 4))));
        AsyncResult map = app.client().send("celery.map", List.of(),
                Map.of("task", Signature.of("cc.first").toDict(), "it", List.of("a", "b")));

        assertThat(starmap.get(WAIT)).isEqualTo(List.of(3, 7));
        assertThat(map.get(WAIT)).isEqualTo(List.of("a", "b"));
    }

    @Test
    void celeryStarmapFailsWhenAnItemFails() throws Exception {
        AsyncResult starmap = app.client().send("celery.starmap", List.of(),
                Map.of("task", Signature.of("cc.fail").toDict(), "it", List.of(List.of("one"))));

        assertThat(failure(starmap).getMessage()).contains("failed on purpose: one");
    }

    @Test
    void celeryChunksSendsAGroupOfStarmapsInParts() throws Exception {
        List<List<Object>> items = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            items.add(List.of(i, i));
        }

        AsyncResult chunks = app.client().send("celery.chunks", List.of(),
                Map.of("task", add().toDict(), "it", items, "n", 4));

        List<?> tuple = (List<?>) chunks.get(WAIT);
        List<?> members = (List<?>) tuple.get(1);
        List<Object> values = new ArrayList<>();
        for (Object m : members) {
            String id = (String) ((List<?>) ((List<?>) m).get(0)).get(0);
            values.add(app.client().result(id).get(WAIT));
        }
        assertThat(values).containsExactly(List.of(0, 2, 4, 6), List.of(8, 10, 12, 14), List.of(16, 18));
    }

    @Test
    void chordUnlockSendsTheBodyOnceTheHeaderIsReadyAndFailsItWhenAMemberFailed() throws Exception {
        AsyncResult a = app.client().apply(Signature.of("cc.slow", "a", 0.3));
        AsyncResult b = app.client().apply(add(1, 2));
        String bodyId = key();
        app.client().send("celery.chord_unlock", List.of(key(), Signature.of("cc.first").taskId(bodyId).toDict()),
                Map.of("interval", 0.1, "result", List.of(tuple(a.id()), tuple(b.id()))));

        assertThat(app.client().result(bodyId).get(WAIT)).isEqualTo(List.of("a", 3));

        AsyncResult failed = app.client().apply(Signature.of("cc.fail", "unlock"));
        failure(failed);
        String failedBody = key();
        String errback = key();
        app.client().send("celery.chord_unlock", List.of(key(),
                        Signature.of("cc.first").taskId(failedBody).linkError(record(errback)).toDict()),
                Map.of("interval", 0.1, "result", List.of(tuple(failed.id()))));

        TaskFailedException e = failure(app.client().result(failedBody));
        assertThat(e.exception().type()).isEqualTo("ChordError");
        assertThat(e.getMessage()).contains("Dependency " + failed.id());
        eventually(() -> assertThat(CanvasContractTasks.RECORDED.get(errback)).containsExactly(failedBody));
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    private static Signature add(Object... args) {
        return Signature.of("cc.add", args);
    }

    private static Signature record(String key) {
        return Signature.of("cc.record", key);
    }

    /** Celery's result tuple {@code [[id, parent], children]}. */
    private static List<Object> tuple(String id) {
        return List.of(Arrays.asList(id, null), List.of());
    }

    static String key() {
        return UUID.randomUUID().toString();
    }

    static TaskFailedException failure(AsyncResult r) throws Exception {
        try {
            throw new AssertionError("expected a failure, got " + r.get(WAIT));
        } catch (TaskFailedException e) {
            return e;
        }
    }

    static TaskFailedException failureOf(GroupResult g) throws Exception {
        try {
            throw new AssertionError("expected a failure, got " + g.get(WAIT));
        } catch (TaskFailedException e) {
            return e;
        }
    }

    /** Retries the assertion until it holds or {@link #WAIT} passed. */
    static void eventually(Runnable assertion) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                assertion.run();
                return;
            } catch (AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(20);
            }
        }
    }
}
