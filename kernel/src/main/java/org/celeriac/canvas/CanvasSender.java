package org.celeriac.canvas;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import org.celeriac.protocol.ProtocolV2;
import org.celeriac.protocol.TaskMessage;
import org.celeriac.spi.backend.ChordJoin;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.transport.Transport;

/**
 * Sends canvases as Celery 5 does ({@code celery/canvas.py}): a chain as its first task carrying the rest, reversed,
 * in the message's {@code chain} field; a group as one message per member, each with the group's id; a chord as its
 * header group whose members carry the body in {@code chord}, after the backend's {@link ChordJoin} was told the
 * header's size. Ids are fixed ("frozen") before anything is sent, so every message can name the tasks after it.
 * Thread-safe.
 */
public final class CanvasSender {
    /** Options a call may not change once set: Celery's {@code _IMMUTABLE_OPTIONS}. */
    private static final Set<String> KEPT_OPTIONS = Set.of("group_id");

    private final Transport transport;
    private final ResultBackend backend;
    private final ProtocolV2 protocol;
    private final Function<String, String> queueFor;
    private final Duration resultExpires;
    private final String origin = ProtocolV2.defaultOrigin();

    /**
     * @param queueFor      the queue for a task whose options name none (routes, then the default queue)
     * @param resultExpires how long a chord's join state is kept ({@code result_expires}); null for ever
     */
    public CanvasSender(Transport transport, ResultBackend backend, ProtocolV2 protocol,
                        Function<String, String> queueFor, Duration resultExpires) {
        this.transport = transport;
        this.backend = backend;
        this.protocol = protocol;
        this.queueFor = queueFor;
        this.resultExpires = resultExpires;
    }

    public Sent apply(Canvas canvas) {
        return apply(canvas, List.of(), Map.of(), Map.of());
    }

    /**
     * Sends a canvas as Celery's {@code apply_async(args, kwargs, **options)}: {@code args} go before the first
     * task's own (unless it is immutable), {@code options} over its options.
     */
    public Sent apply(Canvas canvas, List<?> args, Map<String, ?> kwargs, Map<String, ?> options) {
        if (canvas instanceof Signature s) {
            return applySignature(s, args, kwargs, options);
        }
        if (canvas instanceof Chain c) {
            return applyChain(c, args, kwargs, options);
        }
        if (canvas instanceof Group g) {
            return applyGroup(g, args, kwargs, options);
        }
        return applyChord((Chord) canvas, args, kwargs, options);
    }

    private Sent applySignature(Signature s, List<?> args, Map<String, ?> kwargs, Map<String, ?> options) {
        Map<String, Object> o = merge(s.options(), options);
        List<Object> a = new ArrayList<>();
        Map<String, Object> k = new LinkedHashMap<>(s.kwargs());
        if (!s.immutable()) {
            a.addAll(args);
            k.putAll(kwargs);
        }
        a.addAll(s.args());
        String id = o.get("task_id") instanceof String t ? t : UUID.randomUUID().toString();
        String queue = queueOf(s.task(), o);
        transport.publish(queue, protocol.encode(message(s.task(), id, a, k, o), queue));
        return Sent.task(id);
    }

    private Sent applyChain(Chain chain, List<?> args, Map<String, ?> kwargs, Map<String, ?> options) {
        Map<String, Object> o = merge(chain.options(), options);
        String lastId = (String) o.remove("task_id");
        String groupId = (String) o.remove("group_id");
        Object chord = o.remove("chord");
        Integer groupIndex = o.remove("group_index") instanceof Number n ? n.intValue() : null;
        String rootId = o.get("root_id") instanceof String r ? r : null;
        Object linkError = o.remove("link_error");
        Object link = o.remove("link");
        List<Frozen> steps = prepareSteps(chain.tasks(), args, kwargs, lastId, groupId, chord, groupIndex, rootId,
                linkError);
        if (link != null) { // callbacks of a chain are its last task's
            Frozen last = steps.get(0);
            List<Object> links = new ArrayList<>(asList(last.canvas().options().get("link")));
            links.addAll(asList(link));
            steps.set(0, new Frozen(last.canvas().withOptions(Map.of("link", links)), last.result(), last.head()));
        }
        // steps are last first, as the chain field wants them; the first task goes out carrying the others
        Frozen first = steps.remove(steps.size() - 1);
        List<Object> rest = new ArrayList<>();
        if (o.get("chain") instanceof List<?> outer) {
            rest.addAll(outer); // the rest of an enclosing chain runs after this one's
        }
        for (Frozen f : steps) {
            rest.add(f.canvas().toDict());
        }
        if (rest.isEmpty()) {
            o.remove("chain");
        } else {
            o.put("chain", rest);
        }
        Canvas firstCanvas = first.canvas();
        Sent sent = apply(firstCanvas, List.of(), Map.of(), o);
        return steps.isEmpty() ? sent : steps.get(0).result();
    }

    /**
     * A canvas with its ids fixed, and the ids of what it will send: {@code result} is what it ends with, {@code head}
     * what it starts with (a chord's header), whose parent is the chain step before it.
     */
    private record Frozen(Canvas canvas, Sent result, Sent head) {
        Frozen(Canvas canvas, Sent result) {
            this(canvas, result, result);
        }
    }

    /**
     * Celery's {@code prepare_steps}: walks the chain from its last task, splicing nested chains, turning a group
     * followed by a task into a chord, and fixing each task's id; the last task takes the chain's own id, group and
     * chord, so that a chain inside a chord reports to it when it ends.
     *
     * @return the steps, last first
     */
    private List<Frozen> prepareSteps(List<Canvas> tasks, List<?> args, Map<String, ?> kwargs, String lastId,
                                      String groupId, Object chord, Integer groupIndex, String rootId,
                                      Object linkError) {
        Deque<Canvas> steps = new ArrayDeque<>(tasks);
        List<Frozen> out = new ArrayList<>();
        Frozen prev = null;
        while (!steps.isEmpty()) {
            Canvas task = steps.removeLast();
            boolean isFirst = steps.isEmpty();
            boolean isLast = out.isEmpty();
            if (task instanceof Group g && g.tasks().size() == 1) {
                task = g.tasks().get(0);
            }
            if (task instanceof Chain inner) {
                List<Canvas> innerTasks = new ArrayList<>(inner.tasks());
                if (isFirst) {
                    innerTasks.set(0, partial(innerTasks.get(0), args, kwargs));
                }
                steps.addAll(innerTasks);
                continue;
            }
            if (isFirst) {
                task = partial(task, args, kwargs);
            }
            if (task instanceof Group g && prev != null) {
                // group | task is a chord whose body is the task, keeping the id it was given
                out.remove(out.size() - 1);
                task = new Chord(g, prev.canvas(), Map.of());
                isLast = out.isEmpty();
            }
            if (linkError != null) {
                task = withErrbacks(task, linkError);
            }
            Frozen f = isLast ? freeze(task, lastId, groupId, chord, rootId, null, groupIndex)
                    : freeze(task, null, null, null, rootId, null, null);
            out.add(f);
            prev = f;
        }
        for (int i = 0; i + 1 < out.size(); i++) {
            out.get(i).head().parent(out.get(i + 1).result());
        }
        return out;
    }

    private static Canvas withErrbacks(Canvas task, Object linkError) {
        if (task instanceof Chord c) { // a chord's errbacks are its body's
            return new Chord(c.header(), withErrbacks(c.body(), linkError), c.options());
        }
        if (task instanceof Group g) { // any member may fail: each calls them, as Celery's group.link_error
            List<Canvas> members = new ArrayList<>();
            for (Canvas m : g.tasks()) {
                members.add(withErrbacks(m, linkError));
            }
            return new Group(members, g.options());
        }
        List<Object> list = new ArrayList<>(asList(task.options().get("link_error")));
        for (Object errback : asList(linkError)) {
            if (!list.contains(errback)) {
                list.add(errback);
            }
        }
        return task.withOptions(Map.of("link_error", list));
    }

    /** Celery's partial application: arguments given now come first; kwargs given now win. */
    private static Canvas partial(Canvas task, List<?> args, Map<String, ?> kwargs) {
        if (args.isEmpty() && kwargs.isEmpty()) {
            return task;
        }
        if (task instanceof Signature s) {
            if (s.immutable()) {
                return s;
            }
            List<Object> a = new ArrayList<>(args);
            a.addAll(s.args());
            Map<String, Object> k = new LinkedHashMap<>(s.kwargs());
            k.putAll(kwargs);
            return new Signature(s.task(), a, k, s.options(), false, s.subtaskType());
        }
        if (task instanceof Group g) {
            List<Canvas> members = new ArrayList<>();
            for (Canvas m : g.tasks()) {
                members.add(partial(m, args, kwargs));
            }
            return new Group(members, g.options());
        }
        if (task instanceof Chord c) {
            return new Chord((Group) partial(c.header(), args, kwargs), c.body(), c.options());
        }
        Chain c = (Chain) task;
        List<Canvas> t = new ArrayList<>(c.tasks());
        t.set(0, partial(t.get(0), args, kwargs));
        return new Chain(t, c.options());
    }

    /** Celery's {@code freeze}: fixes ids (keeping those already set) and what the canvas reports to. */
    private Frozen freeze(Canvas c, String id, String groupId, Object chord, String rootId, String parentId,
                          Integer groupIndex) {
        if (c instanceof Signature s) {
            Map<String, Object> o = new LinkedHashMap<>(s.options());
            if (!(o.get("task_id") instanceof String)) {
                o.put("task_id", id != null ? id : UUID.randomUUID().toString());
            }
            putIfNotNull(o, "root_id", rootId);
            putIfNotNull(o, "parent_id", parentId);
            if (groupId != null && !o.containsKey("group_id")) {
                o.put("group_id", groupId);
            }
            putIfNotNull(o, "chord", chord);
            putIfNotNull(o, "group_index", groupIndex);
            return new Frozen(new Signature(s.task(), s.args(), s.kwargs(), o, s.immutable(), s.subtaskType()),
                    Sent.task((String) o.get("task_id")));
        }
        if (c instanceof Chain chain) {
            List<Frozen> steps = prepareSteps(chain.tasks(), List.of(), Map.of(), id, groupId, chord, groupIndex,
                    rootId, null);
            List<Canvas> tasks = new ArrayList<>();
            for (int i = steps.size() - 1; i >= 0; i--) {
                tasks.add(steps.get(i).canvas());
            }
            return new Frozen(new Chain(tasks, chain.options()), steps.get(0).result(),
                    steps.get(steps.size() - 1).head());
        }
        if (c instanceof Group g) {
            Map<String, Object> o = new LinkedHashMap<>(g.options());
            String gid = o.get("task_id") instanceof String t ? t : id != null ? id : UUID.randomUUID().toString();
            o.put("task_id", gid);
            List<Canvas> members = new ArrayList<>();
            List<Sent> results = new ArrayList<>();
            for (Canvas m : unrolled(g)) {
                Frozen f = freeze(m, null, gid, chord, rootId, parentId, results.size());
                members.add(f.canvas());
                results.add(f.result());
            }
            return new Frozen(new Group(members, o), Sent.group(gid, results));
        }
        Chord chordCanvas = (Chord) c;
        Frozen body = freeze(chordCanvas.body(), id, groupId, chord, rootId, null, groupIndex);
        Frozen header = freeze(chordCanvas.header(), null, null, body.canvas().toDict(), rootId, parentId, null);
        body.head().parent(header.result());
        return new Frozen(new Chord((Group) header.canvas(), body.canvas(), chordCanvas.options()), body.result(),
                header.result());
    }

    /** A group's members with nested groups flattened into it, as Celery runs them. */
    private static List<Canvas> unrolled(Group g) {
        List<Canvas> out = new ArrayList<>();
        for (Canvas m : g.tasks()) {
            if (m instanceof Group inner) {
                out.addAll(unrolled(inner));
            } else {
                out.add(m);
            }
        }
        return out;
    }

    private Sent applyGroup(Group group, List<?> args, Map<String, ?> kwargs, Map<String, ?> options) {
        Map<String, Object> o = merge(group.options(), options);
        String gid = o.remove("task_id") instanceof String t ? t : UUID.randomUUID().toString();
        Object chord = o.remove("chord");
        return sendMembers(group, gid, chord, args, kwargs, o);
    }

    /**
     * Fixes the ids of a group's members under its id (and the chord they report to, if any), then sends each with
     * the call's arguments and the options left ({@code o}, without ids of its own).
     */
    private Sent sendMembers(Group group, String gid, Object chord, List<?> args, Map<String, ?> kwargs,
                             Map<String, Object> o) {
        o.remove("group_id");
        o.remove("group_index");
        String rootId = o.get("root_id") instanceof String r ? r : null;
        Frozen frozen = freeze(new Group(group.tasks(), Map.of("task_id", gid)), gid, null, chord, rootId, null,
                null);
        for (Canvas member : ((Group) frozen.canvas()).tasks()) {
            apply(partial(member, args, kwargs), List.of(), Map.of(), o);
        }
        return frozen.result();
    }

    private Sent applyChord(Chord chord, List<?> args, Map<String, ?> kwargs, Map<String, ?> options) {
        Map<String, Object> o = merge(chord.options(), options);
        String bodyId = (String) o.remove("task_id");
        // The body takes the call's options (a chain's rest included); the header does not.
        Canvas body = chord.body().withOptions(o);
        o.remove("link"); // a chord's callbacks and errbacks are its body's
        o.remove("link_error");
        o.remove("chain");
        o.remove("chord");
        String rootId = o.get("root_id") instanceof String r ? r : null;
        Frozen frozenBody = freeze(body, bodyId, null, null, rootId, null, null);
        String groupId = chord.header().options().get("task_id") instanceof String t ? t
                : UUID.randomUUID().toString();
        if (unrolled(chord.header()).isEmpty()) {
            frozenBody.head().parent(Sent.group(groupId, List.of()));
            apply(frozenBody.canvas(), List.of(List.of()), Map.of(), Map.of());
            return frozenBody.result();
        }
        ChordJoin join = backend.chordJoin().orElseThrow(() -> new UnsupportedOperationException(
                "the result backend cannot join chords; use one that can (redis, sql)"));
        join.begin(groupId, chordSize(chord.header()), resultExpires);
        frozenBody.head().parent(sendMembers(chord.header(), groupId, frozenBody.canvas().toDict(), args, kwargs, o));
        return frozenBody.result();
    }

    /** How many results a header member adds to its chord: Celery's {@code _chord._descend}. */
    static int chordSize(Canvas c) {
        if (c instanceof Group g) {
            int n = 0;
            for (Canvas m : g.tasks()) {
                n += chordSize(m);
            }
            return n;
        }
        if (c instanceof Chain chain) {
            for (int i = chain.tasks().size() - 1; i >= 0; i--) {
                int n = chordSize(chain.tasks().get(i));
                if (n > 0) {
                    return n;
                }
            }
            return 0;
        }
        if (c instanceof Chord chord) {
            return chordSize(chord.body());
        }
        return 1;
    }

    /** The task message for a signature's call, its options read as Celery's {@code apply_async} reads them. */
    private TaskMessage message(String task, String id, List<Object> args, Map<String, Object> kwargs,
                                Map<String, Object> o) {
        Map<String, Object> embed = new LinkedHashMap<>();
        putIfNotNull(embed, "callbacks", listOrNull(o.get("link")));
        putIfNotNull(embed, "errbacks", listOrNull(o.get("link_error")));
        putIfNotNull(embed, "chain", listOrNull(o.get("chain")));
        putIfNotNull(embed, "chord", o.get("chord"));
        Map<String, Object> headers = new LinkedHashMap<>();
        if (o.get("headers") instanceof Map<?, ?> extra) {
            extra.forEach((k, v) -> headers.put(String.valueOf(k), v));
        }
        putIfNotNull(headers, "group_index", o.get("group_index"));
        putIfNotNull(headers, "shadow", o.get("shadow"));
        Instant eta = time(o.get("eta"));
        if (eta == null && o.get("countdown") instanceof Number n) {
            eta = Instant.now().plusMillis(Math.round(n.doubleValue() * 1000));
        }
        Instant expires = o.get("expires") instanceof Number n ? Instant.now().plusMillis(Math.round(n.doubleValue() * 1000))
                : time(o.get("expires"));
        String replyTo = o.get("reply_to") instanceof String r ? r
                : backend.repliesToSender() ? backend.replyQueue() : null;
        return new TaskMessage(id, task, args, kwargs, embed, o.get("retries") instanceof Number n ? n.intValue() : 0,
                eta, expires, number(o.get("time_limit")), number(o.get("soft_time_limit")), string(o.get("root_id")),
                string(o.get("parent_id")), string(o.get("group_id")), origin,
                Boolean.TRUE.equals(o.get("ignore_result")), replyTo,
                o.get("priority") instanceof Number p ? p.intValue() : 0, headers);
    }

    private String queueOf(String task, Map<String, Object> o) {
        Object q = o.get("queue");
        if (q instanceof Map<?, ?> m && m.get("name") instanceof String name) {
            return name;
        }
        if (q instanceof String s && !s.isBlank()) {
            return s;
        }
        if (o.get("routing_key") instanceof String rk && !rk.isBlank()) {
            return rk;
        }
        return queueFor.apply(task);
    }

    /** Celery's {@code _merge}: options given now win, except those a signature keeps once set; nulls are dropped. */
    private static Map<String, Object> merge(Map<String, Object> base, Map<String, ?> more) {
        Map<String, Object> o = new LinkedHashMap<>(base);
        more.forEach((k, v) -> {
            if (v != null && !(KEPT_OPTIONS.contains(k) && base.containsKey(k))) {
                o.put(k, v);
            }
        });
        return o;
    }

    private static List<?> asList(Object value) {
        if (value instanceof List<?> l) {
            return l;
        }
        return value == null ? List.of() : List.of(value);
    }

    private static List<?> listOrNull(Object value) {
        List<?> l = asList(value);
        return l.isEmpty() ? null : l;
    }

    private static void putIfNotNull(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    private static Instant time(Object value) {
        return value instanceof String s ? ProtocolV2.parseTime(s) : null;
    }

    private static Double number(Object value) {
        return value instanceof Number n ? n.doubleValue() : null;
    }

    private static String string(Object value) {
        return value instanceof String s ? s : null;
    }
}
