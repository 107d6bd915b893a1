package org.celeriac.client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import org.celeriac.canvas.Canvas;
import org.celeriac.canvas.CanvasSender;
import org.celeriac.canvas.Group;
import org.celeriac.canvas.Sent;
import org.celeriac.events.EventDispatcher;
import org.celeriac.protocol.ProtocolV2;
import org.celeriac.protocol.Repr;
import org.celeriac.protocol.TaskMessage;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.serializer.Serializer;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;

/** Sends tasks by name, as Celery's {@code send_task}. Thread-safe. */
public final class CeleriacClient {
    /** Celery's {@code result_expires} default. */
    private static final Duration DEFAULT_RESULT_EXPIRES = Duration.ofDays(1);

    private final Transport transport;
    private final ResultBackend backend;
    private final ProtocolV2 protocol;
    private final String defaultQueue;
    private final TaskRoutes routes;
    private final Function<String, Optional<String>> taskQueue;
    private final int maxMessageBytes;
    private final String origin = ProtocolV2.defaultOrigin();
    private final CanvasSender canvasSender;
    /** Where {@code task-sent} events go ({@code task_send_sent_event}), or null for none. */
    private volatile EventDispatcher sentEvents;

    public CeleriacClient(Transport transport, ResultBackend backend, Serializer serializer, String defaultQueue,
                          int maxMessageBytes) {
        this(transport, backend, serializer, defaultQueue, maxMessageBytes, TaskRoutes.none(), task -> Optional.empty());
    }

    /**
     * A client that routes: a task goes to the queue its call names, else the one {@code routes} give
     * ({@code task_routes}), else its own ({@code @Task(queue)}, as {@code taskQueue} finds it), else the default.
     *
     * @param taskQueue the queue a task names for itself, by task name
     */
    public CeleriacClient(Transport transport, ResultBackend backend, Serializer serializer, String defaultQueue,
                          int maxMessageBytes, TaskRoutes routes, Function<String, Optional<String>> taskQueue) {
        this(transport, backend, serializer, defaultQueue, maxMessageBytes, routes, taskQueue, DEFAULT_RESULT_EXPIRES);
    }

    /** @param resultExpires how long a chord's join state is kept ({@code result_expires}); null for ever */
    public CeleriacClient(Transport transport, ResultBackend backend, Serializer serializer, String defaultQueue,
                          int maxMessageBytes, TaskRoutes routes, Function<String, Optional<String>> taskQueue,
                          Duration resultExpires) {
        this.routes = routes;
        this.taskQueue = taskQueue;
        this.transport = transport;
        this.backend = backend;
        this.protocol = new ProtocolV2(serializer);
        this.defaultQueue = defaultQueue;
        this.maxMessageBytes = maxMessageBytes;
        this.canvasSender = new CanvasSender(transport, backend, protocol, this::queueFor, resultExpires);
    }

    public AsyncResult send(String task, List<?> args, Map<String, ?> kwargs) {
        return send(task, args, kwargs, SendOptions.defaults());
    }

    /**
     * Sends a task; returns once the broker has it.
     *
     * @throws IllegalArgumentException when the encoded message is larger than {@code message_max_bytes}
     */
    public AsyncResult send(String task, List<?> args, Map<String, ?> kwargs, SendOptions options) {
        Prepared p = prepare(new TaskCall(task, args, kwargs, options));
        transport.publish(p.queue(), p.message());
        sent(p);
        return new AsyncResult(p.id(), backend);
    }

    /**
     * Sends many tasks at once: one batch per queue, which a transport may write in one round trip (Redis
     * pipelines it). Returns once the broker has them all, in the order of {@code calls}. Nothing is sent when a
     * call is invalid; when the broker fails part way, some of the batch may have been sent.
     *
     * @throws IllegalArgumentException when an encoded message is larger than {@code message_max_bytes}
     */
    public List<AsyncResult> sendAll(List<TaskCall> calls) {
        Map<String, List<Message>> byQueue = new LinkedHashMap<>();
        List<AsyncResult> results = new ArrayList<>(calls.size());
        List<Prepared> sent = new ArrayList<>(sentEvents == null ? 0 : calls.size());
        for (TaskCall call : calls) {
            Prepared p = prepare(call);
            if (sentEvents != null) {
                sent.add(p);
            }
            byQueue.computeIfAbsent(p.queue(), q -> new ArrayList<>()).add(p.message());
            results.add(new AsyncResult(p.id(), backend));
        }
        for (Map.Entry<String, List<Message>> e : byQueue.entrySet()) {
            transport.publishAll(e.getKey(), e.getValue());
        }
        if (sentEvents != null) {
            sent.forEach(this::sent);
        }
        return results;
    }

    /**
     * Sends a {@code task-sent} event for each task sent from now on, as Celery's {@code task_send_sent_event}; null
     * for none.
     */
    public void sendSentEvents(EventDispatcher events) {
        this.sentEvents = events;
    }

    private void sent(Prepared p) {
        EventDispatcher events = sentEvents;
        if (events == null || !events.sends("task-sent")) {
            return;
        }
        TaskMessage t = p.task();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("uuid", t.id());
        f.put("root_id", t.rootId());
        f.put("parent_id", t.parentId());
        f.put("name", t.task());
        f.put("args", Repr.of(t.args()));
        f.put("kwargs", Repr.of(t.kwargs()));
        f.put("retries", t.retries());
        f.put("eta", t.eta() == null ? null : ProtocolV2.formatTime(t.eta()));
        f.put("expires", t.expires() == null ? null : ProtocolV2.formatTime(t.expires()));
        f.put("queue", p.queue());
        f.put("exchange", "");
        f.put("routing_key", p.queue());
        events.send("task-sent", f);
    }

    private record Prepared(String id, String queue, Message message, TaskMessage task) {
    }

    @SuppressWarnings("unchecked")
    private Prepared prepare(TaskCall call) {
        SendOptions options = call.options();
        String task = call.task();
        String id = options.taskId() != null ? options.taskId() : UUID.randomUUID().toString();
        String queue = options.queue() != null ? options.queue() : queueFor(task);
        Instant eta = options.eta();
        if (eta == null && options.countdown() != null) {
            eta = Instant.now().plus(options.countdown());
        }
        TaskMessage message = TaskMessage.of(id, task, call.args() == null ? List.of() : (List<Object>) call.args(),
                        call.kwargs() == null ? Map.of() : (Map<String, Object>) call.kwargs())
                .withEta(eta)
                .withOptions(options.expires(), options.timeLimit(), options.softTimeLimit(),
                        options.priority() == null ? 0 : options.priority(), replyTo(), options.ignoreResult(), origin);
        Message encoded = protocol.encode(message, queue);
        if (encoded.body().length > maxMessageBytes) {
            throw new IllegalArgumentException("task " + task + " message is " + encoded.body().length
                    + " bytes, more than message_max_bytes (" + maxMessageBytes + ")");
        }
        return new Prepared(id, queue, encoded, message);
    }

    /**
     * The queue a task goes to when its call names none: its route ({@code task_routes}), else its own
     * ({@code @Task(queue)}), else the default queue.
     */
    public String queueFor(String task) {
        return routes.queueFor(task).or(() -> taskQueue.apply(task).filter(q -> !q.isBlank())).orElse(defaultQueue);
    }

    /** Where a worker sends the result when the backend replies to the sender (rpc), else none. */
    private String replyTo() {
        return backend.repliesToSender() ? backend.replyQueue() : null;
    }

    /**
     * Sends a canvas, as Celery's {@code apply_async} on a signature, chain or chord: returns the result of what it
     * ends with (a chain's last task, a chord's body), whose {@link AsyncResult#parent()} walks back.
     *
     * @throws UnsupportedOperationException for a chord when the result backend cannot join chords
     */
    public AsyncResult apply(Canvas canvas) {
        if (canvas.endsInGroup()) {
            throw new IllegalArgumentException("this canvas ends in a group, whose results are a GroupResult: "
                    + "use applyGroup");
        }
        return asyncResult(canvasSender.apply(canvas));
    }

    /** Sends a group's tasks; returns their results in order, as Celery's {@code group.apply_async}. */
    public GroupResult apply(Group group) {
        return groupResult(canvasSender.apply(group));
    }

    /**
     * Sends a canvas that ends in a group (a group, or a chain whose last step is one) and returns the group's
     * results, as Celery's {@code apply_async} returns a {@code GroupResult} for it.
     */
    public GroupResult applyGroup(Canvas canvas) {
        if (!canvas.endsInGroup()) {
            throw new IllegalArgumentException("this canvas does not end in a group: use apply");
        }
        return groupResult(canvasSender.apply(canvas));
    }


    /** A group saved before ({@link GroupResult#save}), by id: Celery's {@code GroupResult.restore}. */
    public Optional<GroupResult> restoreGroup(String groupId) {
        return backend.restoreGroup(groupId).map(members -> {
            List<AsyncResult> results = new ArrayList<>(members.size());
            for (Object m : members) {
                results.add(new AsyncResult(Sent.idOfTuple(m), backend));
            }
            return new GroupResult(groupId, results, backend);
        });
    }

    private AsyncResult asyncResult(Sent sent) {
        Sent p = sent.parent();
        if (p == null) {
            return new AsyncResult(sent.id(), backend);
        }
        return p.isGroup() ? new AsyncResult(sent.id(), backend, null, groupResult(p))
                : new AsyncResult(sent.id(), backend, asyncResult(p), null);
    }

    private GroupResult groupResult(Sent sent) {
        List<AsyncResult> members = new ArrayList<>();
        for (Sent m : sent.members()) {
            members.add(asyncResult(m));
        }
        return new GroupResult(sent.id(), members, backend);
    }

    /** A handle on the result of a task sent before, by id. */
    public AsyncResult result(String taskId) {
        return new AsyncResult(taskId, backend);
    }

    /** Removes every waiting message of a queue; returns how many. */
    public long purge(String queue) {
        return transport.purge(queue);
    }
}
