package org.celeriac.worker;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.celeriac.protocol.ExceptionInfo;
import org.celeriac.protocol.ProtocolV2;
import org.celeriac.protocol.TaskMessage;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.spi.serializer.Serializer;
import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What becomes of the deliveries a worker takes and of their tasks: holds each delivery until it is settled, then
 * acks or requeues it through the {@link Settler}, gives it back to the broker, or dead-letters it; stores task
 * results; renews the leases of what it holds. Once a cold shutdown is asked for it stores and settles nothing.
 */
final class Outcomes {
    private static final Logger LOG = LoggerFactory.getLogger(Outcomes.class);

    private final Transport transport;
    private final ResultBackend backend;
    private final WorkerOptions options;
    private final DispatchOptions dispatch;
    private final PrefetchSlots prefetch;
    private final Revocations revocations;
    private final TaskRequests requests;
    private final RunState state;
    private final Serializer resultSerializer;
    private final Settler settler;
    private final Continuations continuations;
    /** Deliveries taken and not yet settled, by identity: a record's hash would hash the whole message. */
    private final Map<DeliveryRef, Delivery> held = new ConcurrentHashMap<>();
    private final AtomicInteger processed = new AtomicInteger();

    /** @param resultSerializer what task results are converted to plain values with (JSON) */
    Outcomes(Transport transport, ResultBackend backend, WorkerOptions options, DispatchOptions dispatch,
             PrefetchSlots prefetch, Revocations revocations, TaskRequests requests, RunState state,
             Serializer resultSerializer, Continuations continuations) {
        this.continuations = continuations;
        this.transport = transport;
        this.backend = backend;
        this.options = options;
        this.dispatch = dispatch;
        this.prefetch = prefetch;
        this.revocations = revocations;
        this.requests = requests;
        this.state = state;
        this.resultSerializer = resultSerializer;
        this.settler = new Settler(transport, backend, options.resultExpires(), this::settled);
    }

    /** How many messages were settled. */
    int processed() {
        return processed.get();
    }

    /** Holds a delivery just received, until it is settled or given back. */
    void hold(Delivery d) {
        held.put(new DeliveryRef(d), d);
    }

    /**
     * Acks or requeues a delivery and frees its place. Safe to call once per delivery.
     *
     * @param releasesPermit whether the delivery still holds a prefetch slot
     */
    void settle(Delivery d, boolean ack, boolean releasesPermit) {
        if (state.cold()) {
            return; // left unsettled: the broker gives it out again once the transport closes
        }
        if (held.remove(new DeliveryRef(d)) != null) {
            settler.settle(d, ack, releasesPermit);
        }
    }

    /** Called by the settler once a delivery is acked or requeued. */
    private void settled(boolean releasesPermit) {
        processed.incrementAndGet();
        if (releasesPermit) {
            prefetch.release();
        }
    }

    /**
     * Returns a delivery to the broker unrun, freeing its prefetch slot if it holds one: as a fresh copy, published
     * before the original is acked (a crash in between duplicates it, never loses it), because a message the broker
     * requeues comes back marked redelivered, and the next worker would count this return as a delivery lost with
     * a dying worker, dead-lettering after {@code worker_max_deliveries} warm shutdowns a task that never ran. A
     * redelivery not counted yet is counted in the copy. Requeued as it is when the copy cannot be published.
     */
    void giveBack(Delivery d, boolean releasesPermit) {
        if (held.remove(new DeliveryRef(d)) != null) {
            Message m = d.message();
            try {
                Message copy = d.redelivered() && dispatch.maxDeliveries() > 0
                        ? Redeliveries.counted(m, Redeliveries.count(m) + 1, options.hostname())
                        : Redeliveries.fresh(m, m.headers());
                try {
                    transport.publish(d.queue(), copy);
                } catch (RuntimeException e) {
                    transport.reject(d, true);
                    return;
                }
                try {
                    transport.ack(d);
                } catch (RuntimeException e) {
                    LOG.warn("Cannot ack message {} given back as a copy; it may run twice: {}", m.taskId(),
                            e.getMessage());
                }
            } catch (RuntimeException e) {
                LOG.warn("Cannot return message {}: {}", m.taskId(), e.getMessage());
            } finally {
                if (releasesPermit) {
                    prefetch.release();
                }
            }
        }
    }

    /**
     * Puts an unrunnable message on the dead-letter queue with its reason, and fails its task if it has an id: with
     * {@code failure}'s message, or the reason when it has none.
     *
     * @param task the message decoded, for the {@link TaskObserver}; null when it was not
     */
    void deadLetter(Delivery d, TaskMessage task, String reason, ExceptionInfo failure, boolean holdsPermit) {
        Message m = d.message();
        String id = m.taskId();
        LOG.error("Dead-lettering message {} from queue {}: {}", id == null ? "(no id)" : id, d.queue(), reason);
        Map<String, Object> headers = new LinkedHashMap<>(m.headers());
        headers.put("x-celeriac-dead-letter-reason", reason);
        headers.put("x-celeriac-original-queue", d.queue());
        headers.put("x-celeriac-dead-lettered-at", ProtocolV2.formatTime(Instant.now()));
        headers.put("x-celeriac-dead-lettered-by", options.hostname());
        try {
            transport.publish(options.deadLetterQueue(),
                    new Message(m.body(), m.contentType(), m.contentEncoding(), headers, m.properties()));
        } catch (RuntimeException e) {
            LOG.error("Cannot dead-letter message {}; returning it to {}", id, d.queue(), e);
            giveBack(d, holdsPermit);
            return;
        }
        if (id != null && failure != null) {
            ExceptionInfo withReason = failure.message() != null ? failure
                    : new ExceptionInfo(failure.type(), failure.module(), reason);
            settler.store(new TaskResult(id, TaskState.FAILURE, withReason.toResult(), reason + "\n", List.of(),
                    Instant.now(), addressOf(m.properties().get("reply_to") instanceof String r ? r : null, id)));
        }
        if (task != null && failure != null && Continuations.follows(task)) {
            // A workflow step that cannot run fails what waits for it, or a chord would wait for ever.
            ExceptionInfo why = failure.message() != null ? failure
                    : new ExceptionInfo(failure.type(), failure.module(), reason);
            try {
                continuations.failed(task, TaskState.FAILURE, why.toResult(), reason + "\n");
            } catch (RuntimeException e) {
                LOG.error("Task {}: cannot fail its chain, chord or errbacks", id, e);
            }
        }
        settle(d, true, holdsPermit);
        if (task != null) {
            requests.deadLettered(d, task);
        }
    }

    /** Settles a revoked task unrun with a REVOKED result, as Celery does. */
    void settleRevoked(Delivery d, TaskMessage task, boolean holdsPermit) {
        LOG.info("Discarding revoked task {}[{}]", task.task(), task.id());
        storeResult(task, TaskState.REVOKED, ExceptionInfo.celery("TaskRevokedError", "revoked").toResult(), null);
        revokedInChord(task, "revoked");
        settle(d, true, holdsPermit);
        requests.revoked(d, task, false);
    }

    /** Settles an expired task unrun with a REVOKED result, as Celery does, on arrival or when its ETA comes. */
    void revokeExpired(Delivery d, TaskMessage task, boolean holdsPermit) {
        LOG.info("Task {}[{}] expired at {}; revoked", task.task(), task.id(), task.expires());
        storeResult(task, TaskState.REVOKED, ExceptionInfo.celery("TaskRevokedError", "expired").toResult(), null);
        revokedInChord(task, "expired");
        settle(d, true, holdsPermit);
        requests.revoked(d, task, true);
    }

    /** A revoked header member fails its chord, as Celery's mark_as_revoked reports it to the chord. */
    private void revokedInChord(TaskMessage task, String reason) {
        if (state.cold() || !Continuations.follows(task)) {
            return;
        }
        try {
            continuations.reportToChord(task, TaskState.REVOKED,
                    ExceptionInfo.celery("TaskRevokedError", reason).toResult());
        } catch (RuntimeException e) {
            LOG.error("Task {}[{}]: cannot report its revoke to its chord", task.task(), task.id(), e);
        }
    }

    void storeResult(TaskMessage task, TaskState state, Object result, String traceback) {
        if (this.state.cold()) {
            return; // interrupted by a cold shutdown: it runs again elsewhere
        }
        settler.store(outcome(task, state, result, traceback));
    }

    /**
     * {@link #storeResult}, returning once the result is written: for a state that must precede what follows. A
     * RETRY is stored as it is: the run goes on, to send its next attempt.
     */
    void storeResultNow(TaskMessage task, TaskState state, Object result, String traceback) {
        if (this.state.cold()) {
            return; // as storeResult
        }
        settler.storeNow(state == TaskState.RETRY ? new TaskResult(task.id(), state, result, traceback, List.of(),
                Instant.now(), addressOf(task.replyTo(), task.id())) : outcome(task, state, result, traceback));
    }

    /** The result to store, REVOKED whatever the run made of it when a revoke terminated the run. */
    private TaskResult outcome(TaskMessage task, TaskState state, Object result, String traceback) {
        if (state != TaskState.REVOKED && revocations.finished(task.id())) {
            // Its run was terminated by a revoke: whatever it returned or raised, it ends as Celery's does.
            LOG.info("Task {}[{}] terminated by a revoke", task.task(), task.id());
            state = TaskState.REVOKED;
            result = ExceptionInfo.celery("TaskRevokedError", "terminated").toResult();
            traceback = null;
        }
        return new TaskResult(task.id(), state, result, traceback, List.of(), Instant.now(),
                addressOf(task.replyTo(), task.id()));
    }

    /**
     * For a backend that replies to the sender (rpc), where the sender asked for the result: its reply queue, and the
     * task id as correlation id (Celery's clients send the task id as {@code correlation_id}).
     */
    private Map<String, Object> addressOf(String replyTo, String taskId) {
        if (replyTo == null || !backend.repliesToSender()) {
            return Map.of();
        }
        return Map.of("reply_to", replyTo, "correlation_id", taskId);
    }

    /** Converts a task's return value to plain JSON values, failing here rather than in the backend. */
    Object toJson(Object value) {
        // Plain values skip the round trip through the serializer, giving what it would give.
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer) {
            return value;
        }
        if (value instanceof Long l) {
            // not a conditional expression: that would promote the Integer back to a Long
            if (l == l.intValue()) {
                return Integer.valueOf(l.intValue());
            }
            return l;
        }
        return resultSerializer.decode(resultSerializer.encode(value));
    }

    /** Renews the leases of the deliveries held, from now on, every {@code lease_renew_interval} at most. */
    void renewLeasesOn(ScheduledExecutorService timer) {
        long renewMillis = options.leaseRenewInterval().toMillis();
        Duration lease = transport.visibilityTimeout();
        if (lease != null && lease.toMillis() > 0) {
            // Renew three times per lease, so one late renewal does not let the message go.
            renewMillis = Math.max(10, Math.min(renewMillis, lease.toMillis() / 3));
        }
        timer.scheduleWithFixedDelay(this::renewLeases, renewMillis, renewMillis, TimeUnit.MILLISECONDS);
    }

    private void renewLeases() {
        if (held.isEmpty()) {
            return;
        }
        try {
            transport.renew(List.copyOf(held.values()));
        } catch (RuntimeException e) {
            LOG.warn("Cannot renew the leases of {} held messages: {}", held.size(), e.getMessage());
        }
    }

    /** Writes what is waiting to be stored or settled: used when the worker stops. */
    void drain() {
        settler.drain();
    }
}
