package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.celeriac.spi.backend.TaskState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Chains, groups and chords on the in-memory broker and backend, client and worker in one process. */
class CanvasWorkflowTest extends ExecutionTestSupport {

    private Celeriac app;

    @BeforeEach
    void start() {
        app = app();
        app.tasks().register(CanvasTasks.class);
        startWorker(app, 4);
    }

    /** Retries the assertion until it holds or {@link #WAIT} passed. */
    private static void eventually(Runnable assertion) throws InterruptedException {
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

    private static Signature add(Object... args) {
        return Signature.of("c.add", args);
    }

    @Test
    void chainPassesEachResultAsTheNextTasksFirstArgument() throws Exception {
        AsyncResult r = app.client().apply(Chain.of(add(2, 2), add(4), add(8)));

        assertThat(r.get(WAIT)).isEqualTo(16);
        AsyncResult parent = r.parent().orElseThrow();
        assertThat(parent.get(WAIT)).isEqualTo(8);
        assertThat(parent.parent().orElseThrow().get(WAIT)).isEqualTo(4);
        assertThat(parent.parent().orElseThrow().parent()).isEmpty();
    }

    @Test
    void immutableStepIgnoresThePreviousResult() throws Exception {
        AsyncResult r = app.client().apply(add(1, 1).then(Signature.immutable("c.add", 10, 10)));

        assertThat(r.get(WAIT)).isEqualTo(20);
    }

    @Test
    void failedStepStopsTheChainFailsTheRestAndCallsTheErrbackWithItsId() throws Exception {
        String key = key();
        Chain chain = Chain.of(add(1, 1), Signature.of("c.fail"), add(1), add(2))
                .withOptions(Map.of("link_error", List.of(Signature.of("c.record", key).toDict())));

        AsyncResult last = app.client().apply(chain);

        TaskFailedException e = failure(last);
        assertThat(e.getMessage()).contains("failed on purpose: 2");
        AsyncResult failed = last.parent().orElseThrow().parent().orElseThrow();
        assertThat(failed.state()).isEqualTo(TaskState.FAILURE);
        assertThat(last.parent().orElseThrow().state()).isEqualTo(TaskState.FAILURE);
        eventually(() ->
                assertThat(CanvasTasks.RECORDED.get(key)).containsExactly(failed.id()));
    }

    @Test
    void linkSendsTheCallbackWithTheResultAndLinkErrorTheErrbackWithTheFailedId() throws Exception {
        String ok = key();
        String bad = key();
        app.client().apply(add(20, 22).link(Signature.of("c.record", ok))).get(WAIT);
        AsyncResult failed = app.client().apply(Signature.of("c.fail", "x").linkError(Signature.of("c.record", bad)));

        failure(failed);
        eventually(() -> {
            assertThat(CanvasTasks.RECORDED.get(ok)).containsExactly(42);
            assertThat(CanvasTasks.RECORDED.get(bad)).containsExactly(failed.id());
        });
    }

    @Test
    void groupGivesEachResultInGroupOrderAndIsRestoredById() throws Exception {
        GroupResult g = app.client().apply(Group.of(
                Signature.of("c.slow", "a", 0.3), Signature.of("c.slow", "b", 0.0), Signature.of("c.slow", "c", 0.1)));

        assertThat(g.get(WAIT)).containsExactly("a", "b", "c");
        assertThat(g.completedCount()).isEqualTo(3);
        assertThat(g.successful()).isTrue();
        g.save(Duration.ofMinutes(5));
        GroupResult restored = app.client().restoreGroup(g.id()).orElseThrow();
        assertThat(restored.get(WAIT)).containsExactly("a", "b", "c");
    }

    @Test
    void chordRunsItsBodyOnceWithEveryResultInHeaderOrder() throws Exception {
        List<Canvas> header = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            header.add(Signature.of("c.slow", i, (40 - i) % 7 / 100.0));
        }
        String key = key();

        AsyncResult body = app.client().apply(Chord.of(Group.of(header), Signature.of("c.first"))
                .withOptions(Map.of("link", List.of(Signature.of("c.record", key).toDict()))));

        assertThat(body.get(WAIT)).isEqualTo(IntStream.range(0, 40).boxed().toList());
        assertThat(body.parentGroup().orElseThrow().results()).hasSize(40);
        eventually(() -> assertThat(CanvasTasks.RECORDED.get(key)).hasSize(1));
        Thread.sleep(200);
        assertThat(CanvasTasks.RECORDED.get(key)).hasSize(1);
    }

    @Test
    void failedHeaderTaskFailsTheChordAtOnceWithChordErrorNamingIt() throws Exception {
        String key = key();
        Chord chord = Chord.of(Group.of(Signature.of("c.slow", 1, 5.0), Signature.of("c.fail", "member")),
                Signature.of("c.first").linkError(Signature.of("c.record", key)));

        AsyncResult body = app.client().apply(chord);

        TaskFailedException e = failure(body);
        String failedId = body.parentGroup().orElseThrow().results().get(1).id();
        assertThat(e.getMessage()).contains("ChordError").contains("Dependency " + failedId + " raised");
        eventually(() -> assertThat(CanvasTasks.RECORDED.get(key)).containsExactly(body.id()));
        assertThat(body.parentGroup().orElseThrow().results().get(0).ready()).isFalse(); // did not wait for it
    }

    @Test
    void chordAskingForEveryOutcomeRunsItsBodyWithFailuresIncluded() throws Exception {
        AsyncResult body = app.client().apply(Chord.of(Group.of(add(1, 2), Signature.of("c.fail", "x"),
                Signature.of("c.slow", "late", 0.3)), Signature.of("c.first")).withEveryOutcome());

        List<?> outcomes = (List<?>) body.get(WAIT);
        List<AsyncResult> members = body.parentGroup().orElseThrow().results();
        assertThat(outcomes).hasSize(3);
        assertThat(outcomes.get(0)).isEqualTo(Map.of("task_id", members.get(0).id(), "status", "SUCCESS", "result", 3));
        Map<?, ?> failed = (Map<?, ?>) outcomes.get(1);
        assertThat(failed.get("status")).isEqualTo("FAILURE");
        assertThat(failed.get("task_id")).isEqualTo(members.get(1).id());
        assertThat(((Map<?, ?>) failed.get("result")).get("exc_type")).isEqualTo("IllegalStateException");
        assertThat(((Map<?, ?>) outcomes.get(2)).get("result")).isEqualTo("late");
    }

    @Test
    void revokedHeaderTaskFailsTheChord() throws Exception {
        AsyncResult body = app.client().apply(Chord.of(Group.of(Signature.of("c.slow", 1, 0.1)
                .set("expires", java.time.Instant.now().minusSeconds(5).toString())), Signature.of("c.first")));

        TaskFailedException e = failure(body);
        assertThat(e.getMessage()).contains("ChordError").contains("TaskRevokedError");
    }

    @Test
    void groupFollowedByATaskIsAChordAndAChainContinuesAfterIt() throws Exception {
        AsyncResult r = app.client().apply(Chain.of(add(1, 1), Group.of(add(10), add(20)), Signature.of("c.first"),
                Signature.of("c.record", key())));

        assertThat(r.get(WAIT)).isEqualTo(List.of(12, 22));
    }

    @Test
    void chainIntoAGroupPassesTheResultToEachMember() throws Exception {
        GroupResult g = app.client().applyGroup(Chain.of(add(1, 1), Group.of(add(10), add(20), Signature.of("c.first"))));

        assertThat(g.get(WAIT)).containsExactly(12, 22, 2);
    }

    @Test
    void chainStepsAfterAFailedChordFailWithItsChordError() throws Exception {
        AsyncResult last = app.client().apply(Chain.of(Group.of(add(1, 1), Signature.of("c.fail", "in header")),
                Signature.of("c.first"), add(1)));

        TaskFailedException e = failure(last);
        assertThat(e.getMessage()).contains("ChordError");
        assertThat(last.parent().orElseThrow().state()).isEqualTo(TaskState.FAILURE);
    }

    @Test
    void chainInsideAGroupInsideAChordReportsWhenItsLastTaskEnds() throws Exception {
        Chord chord = Chord.of(Group.of(Chain.of(add(1, 1), add(1), add(1)), add(5, 5),
                Chain.of(Signature.of("c.slow", 7, 0.2), add(1))), Signature.of("c.first"));

        assertThat(app.client().apply(chord).get(WAIT)).isEqualTo(List.of(4, 10, 8));
    }

    @Test
    void chordWithAnEmptyHeaderRunsItsBodyWithAnEmptyList() throws Exception {
        assertThat(app.client().apply(Chord.of(Group.of(), Signature.of("c.first"))).get(WAIT)).isEqualTo(List.of());
    }

    @Test
    void signatureDictsRoundTrip() {
        Canvas c = Chord.of(Group.of(add(1, 2).queue("q"), Chain.of(add(3, 4), add(5))),
                Signature.immutable("c.first", 1).linkError(Signature.of("c.record", "k")));

        assertThat(Canvas.fromDict(c.toDict())).isEqualTo(c);
        assertThat(c.toDict()).containsEntry("subtask_type", "chord").containsEntry("task", "celery.chord");
    }

    @Test
    void celeryStarmapAndMapCallTheTaskForEachItem() throws Exception {
        Map<String, Object> add = add().toDict();
        AsyncResult starmap = app.client().send("celery.starmap", List.of(),
                Map.of("task", add, "it", List.of(List.of(1, 2), List.of(3, 4))));
        AsyncResult map = app.client().send("celery.map", List.of(),
                Map.of("task", Signature.of("c.first").toDict(), "it", List.of("a", "b")));

        assertThat(starmap.get(WAIT)).isEqualTo(List.of(3, 7));
        assertThat(map.get(WAIT)).isEqualTo(List.of("a", "b"));
        assertThat(app.tasks().names()).noneMatch(n -> n.startsWith("celery."));
    }

    @Test
    void celeryChunksSendsAGroupOfStarmaps() throws Exception {
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
        AsyncResult a = app.client().apply(Signature.of("c.slow", "a", 0.3));
        AsyncResult b = app.client().apply(add(1, 2));
        String bodyId = key();
        Map<String, Object> body = Signature.of("c.first").taskId(bodyId).toDict();
        app.client().send("celery.chord_unlock", List.of("g1", body), Map.of("interval", 0.1,
                "result", List.of(List.of(java.util.Arrays.asList(a.id(), null), List.of()),
                        List.of(java.util.Arrays.asList(b.id(), null), List.of()))));

        assertThat(app.client().result(bodyId).get(WAIT)).isEqualTo(List.of("a", 3));

        AsyncResult failed = app.client().apply(Signature.of("c.fail", "unlock"));
        failure(failed);
        String failedBody = key();
        app.client().send("celery.chord_unlock", List.of("g2", Signature.of("c.first").taskId(failedBody).toDict()),
                Map.of("interval", 0.1, "result", List.of(List.of(java.util.Arrays.asList(failed.id(), null), List.of()))));
        TaskFailedException e = failure(app.client().result(failedBody));
        assertThat(e.getMessage()).contains("ChordError").contains("Dependency " + failed.id());
    }
}
