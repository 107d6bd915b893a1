package org.celeriac.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.celeriac.canvas.Canvas;
import org.celeriac.canvas.CanvasSender;
import org.celeriac.canvas.Chain;
import org.celeriac.canvas.Chord;
import org.celeriac.canvas.Group;
import org.celeriac.canvas.Signature;
import org.celeriac.canvas.Sent;
import org.celeriac.registry.TaskDefinition;
import org.celeriac.registry.TaskRegistry;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.task.Args;
import org.celeriac.task.Kwargs;
import org.celeriac.task.Retry;
import org.celeriac.task.Task;
import org.celeriac.task.TaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Celery's builtin tasks ({@code celery/app/builtins.py}), which a Celery client sends to whatever worker consumes the
 * queue: {@code chunks}, {@code map} and {@code starmap} call a task in-line for each item; {@code group},
 * {@code chain} and {@code chord} send canvases old clients sent as tasks; {@code chord_unlock} polls a chord's
 * header on backends that cannot join chords.
 */
public final class BuiltinTasks {
    private static final Logger LOG = LoggerFactory.getLogger(BuiltinTasks.class);

    private final TaskRegistry registry;
    private final CanvasSender sender;
    private final ResultBackend backend;
    private final Continuations continuations;
    private final Duration resultExpires;

    BuiltinTasks(TaskRegistry registry, CanvasSender sender, ResultBackend backend, Continuations continuations,
                 Duration resultExpires) {
        this.registry = registry;
        this.sender = sender;
        this.backend = backend;
        this.continuations = continuations;
        this.resultExpires = resultExpires;
    }

    /** Celery's {@code xstarmap}: the task called with each item's arguments, here, one after another. */
    @Task(name = "celery.starmap")
    public List<Object> starmap(Map<String, Object> task, List<List<Object>> it, TaskContext context)
            throws Throwable {
        TaskDefinition definition = definition(task);
        List<Object> out = new ArrayList<>(it.size());
        for (List<Object> args : it) {
            out.add(definition.invoke(definition.bind(args, Map.of(), context)));
        }
        return out;
    }

    /** Celery's {@code xmap}: the task called with each item as its one argument. */
    @Task(name = "celery.map")
    public List<Object> map(Map<String, Object> task, List<Object> it, TaskContext context) throws Throwable {
        TaskDefinition definition = definition(task);
        List<Object> out = new ArrayList<>(it.size());
        for (Object item : it) {
            out.add(definition.invoke(definition.bind(java.util.Arrays.asList(item), Map.of(), context)));
        }
        return out;
    }

    /** Celery's {@code chunks}: the items split in parts of {@code n}, each a {@code celery.starmap} of a group. */
    @Task(name = "celery.chunks")
    public List<Object> chunks(Map<String, Object> task, List<List<Object>> it, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("chunks need a size of at least 1, not " + n);
        }
        List<Canvas> parts = new ArrayList<>();
        for (int i = 0; i < it.size(); i += n) {
            parts.add(new Signature("celery.starmap", List.of(),
                    Map.of("task", task, "it", new ArrayList<>(it.subList(i, Math.min(it.size(), i + n)))), Map.of(),
                    true, "xstarmap"));
        }
        return sender.apply(Group.of(parts)).asTuple();
    }

    /** Celery's {@code accumulate}: its arguments, or the one at {@code index}. */
    @Task(name = "celery.accumulate")
    public Object accumulate(@Args List<Object> args, @Kwargs Map<String, Object> kwargs) {
        Object index = kwargs.get("index");
        return index instanceof Number i ? args.get(i.intValue()) : args;
    }

    /** Celery's periodic {@code backend_cleanup}: the backends here expire results themselves. */
    @Task(name = "celery.backend_cleanup")
    public Object backendCleanup() {
        LOG.debug("backend_cleanup: results expire in the backend by themselves");
        return null;
    }

    /** The group task old clients sent: each member sent with the group's id. */
    @Task(name = "celery.group")
    public List<Object> group(List<Object> tasks, @Kwargs Map<String, Object> kwargs) {
        List<Canvas> members = new ArrayList<>();
        for (Object t : tasks) {
            members.add(Canvas.fromDict(t));
        }
        List<?> partial = kwargs.get("partial_args") instanceof List<?> l ? l : List.of();
        Map<String, Object> options = new java.util.LinkedHashMap<>();
        if (kwargs.get("group_id") instanceof String id) {
            options.put("task_id", id);
        }
        return sender.apply(new Group(members, Map.of()), partial, Map.of(), options).asTuple();
    }

    /** Celery registers {@code celery.chain} only to refuse it; a chain sent as a task runs here. */
    @Task(name = "celery.chain")
    public List<Object> chain(@Args List<Object> args, @Kwargs Map<String, Object> kwargs) {
        List<Canvas> steps = new ArrayList<>();
        if (kwargs.get("tasks") instanceof List<?> tasks) {
            for (Object t : tasks) {
                steps.add(Canvas.fromDict(t));
            }
        }
        if (steps.isEmpty()) {
            throw new IllegalArgumentException("celery.chain needs its tasks in kwargs 'tasks'");
        }
        return sender.apply(Chain.of(steps), args, Map.of(), Map.of()).asTuple();
    }

    /** Celery's {@code celery.chord} task: a chord sent as a task, sent from here. */
    @Task(name = "celery.chord")
    public List<Object> chord(Object header, Map<String, Object> body, @Kwargs Map<String, Object> kwargs) {
        Canvas h = header instanceof Map<?, ?> ? Canvas.fromDict(header) : null;
        Group group;
        if (h instanceof Group g) {
            group = g;
        } else {
            List<Canvas> members = new ArrayList<>();
            for (Object t : header instanceof List<?> l ? l : List.of(header)) {
                members.add(Canvas.fromDict(t));
            }
            group = new Group(members, Map.of());
        }
        List<?> partial = kwargs.get("partial_args") instanceof List<?> l ? l : List.of();
        return sender.apply(Chord.of(group, Canvas.fromDict(body)), partial, Map.of(), Map.of()).asTuple();
    }

    /**
     * Celery's {@code chord_unlock}: sends the body once every header task is ready. Unlike Celery's it fails the
     * chord as soon as one member failed, and gives up once the members' results would have expired, instead of
     * polling for ever (celery#9674).
     */
    @Task(name = "celery.chord_unlock", maxRetries = -1, ignoreResult = true)
    public Object chordUnlock(String group_id, Map<String, Object> callback, @Kwargs Map<String, Object> kwargs,
                              TaskContext context) {
        double interval = kwargs.get("interval") instanceof Number i ? i.doubleValue() : 1.0;
        Integer maxRetries = kwargs.get("max_retries") instanceof Number m ? m.intValue() : null;
        List<String> ids = new ArrayList<>();
        if (kwargs.get("result") instanceof List<?> tuples) {
            for (Object t : tuples) {
                ids.add(Sent.idOfTuple(t));
            }
        }
        List<Object> values = new ArrayList<>(ids.size());
        boolean ready = true;
        for (String id : ids) {
            Optional<TaskResult> r = backend.get(id);
            if (r.isPresent() && r.get().state().isFailed()) {
                continuations.failBody(callback, Continuations.dependencyFailed(id, r.get().result()));
                return null;
            }
            if (r.isEmpty() || !r.get().state().isReady()) {
                ready = false;
            } else {
                values.add(r.get().result());
            }
        }
        if (!ready) {
            long waited = Math.round(context.retries() * interval);
            if ((maxRetries != null && context.retries() >= maxRetries)
                    || (resultExpires != null && waited > resultExpires.toSeconds())) {
                continuations.failBody(callback, "Chord " + group_id + " gave up waiting for its header after "
                        + context.retries() + " polls");
                return null;
            }
            throw new Retry(Duration.ofMillis(Math.round(interval * 1000)), null);
        }
        Sent sent = sender.apply(Canvas.fromDict(callback), List.of(values), Map.of(), Map.of());
        LOG.debug("Chord {} unlocked: body {} sent", group_id, sent.id());
        return null;
    }

    private TaskDefinition definition(Map<String, Object> task) {
        String name = Canvas.fromDict(task) instanceof Signature s ? s.task() : null;
        if (name == null) {
            throw new IllegalArgumentException("not a task signature: " + task);
        }
        return registry.find(name).orElseThrow(() -> new IllegalArgumentException("unknown task " + name));
    }
}
