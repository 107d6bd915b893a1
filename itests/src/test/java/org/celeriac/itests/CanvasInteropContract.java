package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.canvas.Canvas;
import org.celeriac.canvas.Chain;
import org.celeriac.canvas.Chord;
import org.celeriac.canvas.Group;
import org.celeriac.canvas.Signature;
import org.celeriac.client.AsyncResult;
import org.celeriac.config.Settings;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Workflows that cross languages on one broker and a Redis result backend, named by a subclass: a Celeriac worker
 * consumes queue {@code java} (the demo tasks), a Python Celery 5.2 worker queue {@code py} (its own tasks), and
 * chains, chords, chunks and errbacks built on either side run on both. Chord members of both languages meet in
 * Celery's Redis join.
 */
abstract class CanvasInteropContract {
    private static final Duration WAIT = CeleriacProcesses.WAIT;

    @RegisterExtension
    final CeleriacProcesses celeriac = new CeleriacProcesses();

    @RegisterExtension
    final PythonProcesses python = new PythonProcesses();

    @TempDir
    Path dir;

    /** The broker as Celeriac is told it. */
    abstract String broker();

    /** The broker as Python Celery is told it. */
    String pythonBroker() {
        return broker();
    }

    /** The result backend, the same URL for both. */
    abstract String backend();

    /** Leaves broker and backend as new: no queues, messages or results of earlier tests. */
    abstract void clear() throws Exception;

    @BeforeEach
    void workers() throws Exception {
        clear();
        Files.writeString(dir.resolve("pycanvas.py"), """
                import os
                from celery import Celery
                app = Celery('pycanvas', broker=os.environ['PY_BROKER'], backend=os.environ['PY_BACKEND'])
                app.conf.task_default_queue = 'py'

                @app.task(name='py.mul')
                def mul(x, y):
                    return x * y

                @app.task(name='py.collect')
                def collect(values):
                    return ['py', values]

                @app.task(name='py.failed')
                def failed(task_id):
                    return 'errback got ' + task_id
                """, StandardCharsets.UTF_8);
        PythonProcesses.Child py = python.start(dir, "pyworker",
                Map.of("PY_BROKER", pythonBroker(), "PY_BACKEND", backend()), "-m", "celery", "-A", "pycanvas",
                "worker", "-Q", "py", "-P", "solo", "-c", "1", "--without-gossip", "--without-mingle",
                "--without-heartbeat", "-l", "info");
        py.awaitOutput(" ready.");
        celeriac.start(dir, "worker", "--broker", broker(), "--backend", backend(), "-Q", "java", "-c", "4")
                .awaitOutput(CeleryInteropContract.CELERIAC_READY);
    }

    private Celeriac client() {
        return Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, broker(), Settings.RESULT_BACKEND, backend())));
    }

    private static Signature java(String task, Object... args) {
        return Signature.of(task, args).queue("java");
    }

    private static Signature py(String task, Object... args) {
        return Signature.of(task, args).queue("py");
    }

    @Test
    void chainBuiltInPythonRunsItsStepsOnBothWorkers() throws Exception {
        String out = runPython("chain", """
                import sys
                from celery import Celery, chain
                app = Celery(broker=sys.argv[1], backend=sys.argv[2])
                s = app.signature
                r = chain(s('demo.add', (1, 2), queue='java'), s('py.mul', (10,), queue='py'),
                          s('demo.add', (5,), queue='java'))()
                print('result:', r.get(timeout=60), flush=True)
                print('parents:', r.parent.get(timeout=60), r.parent.parent.get(timeout=60), flush=True)
                """);

        assertThat(out).contains("result: 35\n").contains("parents: 30 3\n");
    }

    @Test
    void chainBuiltInJavaRunsItsStepsOnBothWorkers() throws Exception {
        try (Celeriac app = client()) {
            AsyncResult r = app.client().apply(Chain.of(java("demo.add", 1, 2), py("py.mul", 10),
                    java("demo.add", 5)));

            assertThat(r.get(WAIT)).isEqualTo(35);
            assertThat(r.parent().orElseThrow().get(WAIT)).isEqualTo(30);
        }
    }

    @Test
    void chordBuiltInPythonRunsItsHeaderOnCeleriacAndItsBodyInPython() throws Exception {
        String out = runPython("chord", """
                import sys
                from celery import Celery, chord
                app = Celery(broker=sys.argv[1], backend=sys.argv[2])
                s = app.signature
                r = chord([s('demo.add', (i, i), queue='java') for i in range(20)], s('py.collect', queue='py'))()
                print('result:', r.get(timeout=60), flush=True)
                """);

        assertThat(out).contains("result: ['py', " + doubles(20) + "]\n");
    }

    @Test
    void chordBuiltInJavaJoinsHeaderMembersOfBothWorkersAndRunsItsBodyOnCeleriac() throws Exception {
        List<Canvas> header = new ArrayList<>();
        List<Object> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            header.add(i % 2 == 0 ? java("demo.add", i, i) : py("py.mul", i, 2));
            expected.add(2 * i);
        }
        try (Celeriac app = client()) {
            AsyncResult body = app.client().apply(Chord.of(Group.of(header), java("demo.echo")));

            assertThat(body.get(WAIT)).isEqualTo(List.of(List.of(expected), Map.of()));
        }
    }

    @Test
    void chordBuiltInPythonWithMembersOnBothWorkersFiresOnceInPython() throws Exception {
        String out = runPython("mixed", """
                import sys
                from celery import Celery, chord
                app = Celery(broker=sys.argv[1], backend=sys.argv[2])
                s = app.signature
                header = [s('demo.add', (i, i), queue='java') if i % 2 == 0 else s('py.mul', (i, 2), queue='py')
                          for i in range(20)]
                r = chord(header, s('py.collect', queue='py'))()
                print('result:', r.get(timeout=60), flush=True)
                """);

        assertThat(out).contains("result: ['py', " + doubles(20) + "]\n");
    }

    @Test
    void chunksSentByPythonRunOnCeleriac() throws Exception {
        String out = runPython("chunks", """
                import sys
                from celery import Celery, chunks
                app = Celery(broker=sys.argv[1], backend=sys.argv[2])
                g = chunks(app.signature('demo.add'), [(i, i) for i in range(10)], 4).apply_async(queue='java')
                print('result:', g.get(timeout=60), flush=True)
                """);

        assertThat(out).contains("result: [[0, 2, 4, 6], [8, 10, 12, 14], [16, 18]]\n");
    }

    @Test
    void errbackDeclaredInPythonIsCalledWithTheIdOfTheJavaTaskThatFailed() throws Exception {
        String out = runPython("errback", """
                import sys
                from celery import Celery, chain
                app = Celery(broker=sys.argv[1], backend=sys.argv[2])
                s = app.signature
                errback = s('py.failed', queue='py')
                errback_id = errback.freeze().id
                c = chain(s('py.mul', ('ab', 2), queue='py'), s('demo.fail', queue='java'), s('py.mul', (2,), queue='py'))
                r = c.on_error(errback).apply_async()
                failed = r.parent
                try:
                    r.get(timeout=60)
                except Exception as e:
                    print('chain raised:', type(e).__name__, e, flush=True)
                print('failed id:', failed.id, flush=True)
                print('errback:', app.AsyncResult(errback_id).get(timeout=60), flush=True)
                """);

        String failedId = CeleryInteropContract.line(out, "failed id: ");
        assertThat(out).contains("chain raised: IllegalStateException abab\n");
        assertThat(out).contains("errback: errback got " + failedId + "\n");
    }

    /** Python's printed list of 0, 2, 4, ... */
    private static String doubles(int n) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(Integer.toString(2 * i));
        }
        return "[" + String.join(", ", values) + "]";
    }

    private String runPython(String name, String script) throws IOException, InterruptedException {
        Files.writeString(dir.resolve(name + ".py"), script, StandardCharsets.UTF_8);
        PythonProcesses.Child child = python.start(dir, name, Map.of(), name + ".py", pythonBroker(), backend());
        int exit = child.awaitExit(Duration.ofSeconds(120));
        String out = child.output();
        assertThat(exit).as(out).isZero();
        return out;
    }
}
