package org.celeriac.worker;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

import org.celeriac.canvas.Canvas;
import org.celeriac.canvas.CanvasSender;
import org.celeriac.canvas.Chain;
import org.celeriac.canvas.Chord;
import org.celeriac.canvas.Group;
import org.celeriac.canvas.Signature;
import org.celeriac.protocol.ExceptionInfo;
import org.celeriac.protocol.Repr;
import org.celeriac.protocol.TaskMessage;
import org.celeriac.spi.backend.ChordJoin;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What follows a task in its workflow, as Celery's tracer and result backend do it: on success its callbacks and
 * the next step of its chain, sent with its result as first argument; on failure the steps of its chain marked
 * failed and its errbacks sent with its id; and in both cases its report to the chord it is a header member of,
 * the last member sending the body with every result in header order, a failed one failing the body at once with
 * Celery's {@code ChordError}.
 */
final class Continuations {
    private static final Logger LOG = LoggerFactory.getLogger(Continuations.class);

    private final CanvasSender sender;
    private final ResultBackend backend;
    private final Duration resultExpires;

    Continuations(CanvasSender sender, ResultBackend backend, Duration resultExpires) {
        this.sender = sender;
        this.backend = backend;
        this.resultExpires = resultExpires;
    }

    /** Whether anything follows the task: its result must then be stored before what follows can look for it. */
    static boolean follows(TaskMessage task) {
        return !task.embed().isEmpty();
    }

    /** Sends the callbacks and the chain's next step, before the task's result is stored, as Celery does. */
    void succeeded(TaskMessage task, Object result) {
        Map<String, Object> lineage = lineage(task);
        for (Object callback : list(task.embed().get("callbacks"))) {
            sender.apply(Canvas.fromDict(callback), List.of(result), Map.of(), lineage);
        }
        List<?> chain = list(task.embed().get("chain"));
        if (!chain.isEmpty()) {
            Canvas next = Canvas.fromDict(chain.get(chain.size() - 1));
            Map<String, Object> options = new java.util.LinkedHashMap<>(lineage);
            if (chain.size() > 1) {
                options.put("chain", new ArrayList<>(chain.subList(0, chain.size() - 1)));
            }
            sender.apply(next, List.of(result), Map.of(), options);
        }
    }

    /** Reports a finished header member to its chord, once its result is stored. */
    void reportToChord(TaskMessage task, TaskState state, Object result) {
        Object body = task.embed().get("chord");
        String group = task.groupId();
        if (body == null || group == null) {
            return;
        }
        Optional<ChordJoin> join = backend.chordJoin();
        if (join.isEmpty()) {
            return; // Celery's celery.chord_unlock polls for the header instead
        }
        boolean everyOutcome = everyOutcome(body);
        if (state.isFailed() && !everyOutcome) {
            fail(join.get(), group, body, dependencyFailed(task.id(), result));
            return;
        }
        Integer index = task.otherHeaders().get("group_index") instanceof Number n ? n.intValue() : null;
        if (index == null) {
            LOG.warn("Task {}[{}] is in chord {} without a group_index (sent by Celery before 5.1?); it cannot report",
                    task.task(), task.id(), group);
            return;
        }
        Optional<List<TaskResult>> all = join.get().memberDone(group, index,
                new TaskResult(task.id(), state, result, null, List.of(), Instant.now(), Map.of()), resultExpires);
        if (all.isPresent()) {
            fire(join.get(), group, body, all.get(), everyOutcome);
        }
    }

    /**
     * Whether the chord's body asked for every member's outcome, failures included ({@code chord_outcomes}, not a
     * Celery option; celery#1881): it then runs once the whole header finished, however it finished.
     */
    private static boolean everyOutcome(Object bodyDict) {
        return bodyDict instanceof Map<?, ?> d && d.get("options") instanceof Map<?, ?> o
                && Boolean.TRUE.equals(o.get(Chord.EVERY_OUTCOME));
    }

    /**
     * After a failure is stored: the chord it belongs to fails, the steps of its chain that will not run fail with
     * its exception, and its errbacks are sent with its id.
     */
    void failed(TaskMessage task, TaskState state, Object exception, String traceback) {
        reportToChord(task, state, exception);
        failSteps(list(task.embed().get("chain")), state, exception, traceback);
        callErrbacks(list(task.embed().get("errbacks")), task.id(), task.rootId());
    }

    private void fire(ChordJoin join, String group, Object bodyDict, List<TaskResult> members,
                      boolean everyOutcome) {
        for (TaskResult m : members) {
            if (m.state().isFailed() && !everyOutcome) {
                fail(join, group, bodyDict, dependencyFailed(m.taskId(), m.result()));
                return;
            }
        }
        Canvas body = Canvas.fromDict(bodyDict);
        String bodyId = idOf(body);
        // A member redelivered after its worker died once the body was sent finds the join not ended yet: a body
        // with any state stored (STARTED, a result) was received by a worker, so it is not sent again.
        if (bodyId != null && backend.get(bodyId).isPresent()) {
            LOG.info("Chord {}: body {} was sent already", group, bodyId);
            join.end(group);
            return;
        }
        List<Object> results = new ArrayList<>(members.size());
        for (TaskResult m : members) {
            if (everyOutcome) {
                Map<String, Object> outcome = new java.util.LinkedHashMap<>();
                outcome.put("task_id", m.taskId());
                outcome.put("status", m.state().name());
                outcome.put("result", m.result());
                results.add(outcome);
            } else {
                results.add(m.result());
            }
        }
        try {
            sender.apply(body, List.of(results), Map.of(), Map.of());
        } catch (RuntimeException e) {
            LOG.error("Chord {}: cannot send its body", group, e);
            fail(join, group, bodyDict, "Callback error: " + e);
            return;
        }
        join.end(group);
    }

    /** Ends the join, and if this call ended it, fails the body with Celery's ChordError and sends its errbacks. */
    private void fail(ChordJoin join, String group, Object bodyDict, String reason) {
        if (!join.end(group)) {
            return; // failed or fired before
        }
        failBody(bodyDict, reason);
    }

    /** Fails a chord's body with Celery's ChordError and sends the body's errbacks: Celery's chord_error_from_stack. */
    void failBody(Object bodyDict, String reason) {
        Canvas body = Canvas.fromDict(bodyDict);
        String bodyId = idOf(body);
        LOG.error("Chord with body {} failed: {}", bodyId, reason);
        Map<String, Object> error = ExceptionInfo.celery("ChordError", reason).toResult();
        if (bodyId != null) {
            backend.store(new TaskResult(bodyId, TaskState.FAILURE, error, null, List.of(), Instant.now(), Map.of()),
                    resultExpires);
        }
        // Beyond Celery, which leaves them pending: the chain steps after the chord will not run either.
        failSteps(list(body.options().get("chain")), TaskState.FAILURE, error, null);
        callErrbacks(list(body.options().get("link_error")), bodyId, null);
    }

    /**
     * Fails the chain steps that will not run, with the exception that stopped them, in the order they would have
     * run (the field is reversed); a step that is a chord's header member fails that chord too, or it would wait for
     * ever.
     */
    private void failSteps(List<?> chain, TaskState state, Object exception, String traceback) {
        for (int i = chain.size() - 1; i >= 0; i--) {
            Canvas c = Canvas.fromDict(chain.get(i));
            String id = idOf(c);
            if (id != null) {
                backend.store(new TaskResult(id, state, exception, traceback, List.of(), Instant.now(), Map.of()),
                        resultExpires);
            }
            Object chord = c.options().get("chord");
            if (chord != null && c.options().get("group_id") instanceof String group && backend.chordJoin().isPresent()) {
                fail(backend.chordJoin().get(), group, chord, dependencyFailed(id, exception));
            }
        }
    }

    /** Celery's ChordError reason for a failed member: {@code Dependency <id> raised ValueError('bad')}. */
    static String dependencyFailed(String taskId, Object exception) {
        return "Dependency " + taskId + " raised " + exceptionRepr(exception);
    }

    /** Celery calls an errback it cannot inspect as a task taking the failed task's id. */
    private void callErrbacks(List<?> errbacks, String failedId, String rootId) {
        for (Object errback : errbacks) {
            Map<String, Object> options = new java.util.LinkedHashMap<>();
            options.put("parent_id", failedId);
            if (rootId != null) {
                options.put("root_id", rootId);
            }
            sender.apply(Canvas.fromDict(errback), java.util.Arrays.asList(failedId), Map.of(), options);
        }
    }

    private static Map<String, Object> lineage(TaskMessage task) {
        Map<String, Object> o = new java.util.LinkedHashMap<>();
        o.put("parent_id", task.id());
        o.put("root_id", task.rootId());
        if (task.priority() != 0) {
            o.put("priority", task.priority());
        }
        return o;
    }

    /** The id a canvas's result has: its own, a chain's last task's, a chord's body's. */
    private static String idOf(Canvas c) {
        if (c instanceof Signature || c instanceof Group) {
            return c.options().get("task_id") instanceof String id ? id : null;
        }
        if (c instanceof Chain chain) {
            return idOf(chain.tasks().get(chain.tasks().size() - 1));
        }
        return idOf(((Chord) c).body());
    }

    /** Python's repr of a stored exception, as Celery's ChordError names it: {@code ValueError('bad')}. */
    private static String exceptionRepr(Object stored) {
        if (stored instanceof Map<?, ?> m && m.get("exc_type") != null) {
            StringJoiner args = new StringJoiner(", ", m.get("exc_type") + "(", ")");
            Object message = m.get("exc_message");
            for (Object a : message instanceof List<?> l ? l : List.of(String.valueOf(message))) {
                args.add(Repr.of(a));
            }
            return args.toString();
        }
        return Repr.of(stored);
    }

    private static List<?> list(Object value) {
        if (value instanceof List<?> l) {
            return l;
        }
        return value == null ? List.of() : List.of(value);
    }
}
