package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.celeriac.app.Celeriac;
import org.celeriac.canvas.Canvas;
import org.celeriac.canvas.Chain;
import org.celeriac.canvas.Chord;
import org.celeriac.canvas.Group;
import org.celeriac.canvas.Signature;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The canvas on the in-memory broker and backend, client and worker in one process: that the pieces fit. Each
 * primitive and its failure path are itests' {@code CanvasContract}, on Redis and on the embedded SQL default.
 */
class CanvasWorkflowTest extends ExecutionTestSupport {

    private Celeriac app;

    @BeforeEach
    void start() {
        app = app();
        app.tasks().register(CanvasTasks.class);
        startWorker(app, 4);
    }

    private static Signature add(Object... args) {
        return Signature.of("c.add", args);
    }

    @Test
    void chainIntoAChordRunsTheBodyWithEveryResultInHeaderOrder() throws Exception {
        Canvas workflow = Chain.of(add(1, 1), Group.of(add(10), add(20), add(30)), Signature.of("c.first"));

        assertThat(app.client().apply(workflow).get(WAIT)).isEqualTo(List.of(12, 22, 32));
    }

    @Test
    void failedHeaderTaskFailsTheChordWithChordError() {
        Chord chord = Chord.of(Group.of(add(1, 1), Signature.of("c.fail", "member")), Signature.of("c.first"));

        assertThat(failure(app.client().apply(chord)).getMessage()).contains("ChordError").contains("Dependency ");
    }

    @Test
    void signatureDictsRoundTrip() {
        Canvas c = Chord.of(Group.of(add(1, 2).queue("q"), Chain.of(add(3, 4), add(5))),
                Signature.immutable("c.first", 1).linkError(Signature.of("c.record", "k")));

        assertThat(Canvas.fromDict(c.toDict())).isEqualTo(c);
        assertThat(c.toDict()).containsEntry("subtask_type", "chord").containsEntry("task", "celery.chord");
    }
}
