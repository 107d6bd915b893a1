package org.celeriac.worker;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.celeriac.discovery.PluginCatalog;
import org.celeriac.protocol.ExceptionInfo;
import org.celeriac.protocol.MalformedMessageException;
import org.celeriac.protocol.ProtocolV2;
import org.celeriac.protocol.Repr;
import org.celeriac.protocol.TaskMessage;
import org.celeriac.registry.TaskRegistry;
import org.celeriac.security.UntrustedMessageException;
import org.celeriac.spi.backend.BackendException;
import org.celeriac.spi.serializer.Serializer;
import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what the fetcher takes into jobs, on the pool thread that runs them: decodes and checks each delivery,
 * dead-letters what cannot run, revokes what expired or was revoked, holds back what waits for a redeploy, counts
 * redeliveries, and passes the rest to {@link Admission}. Nothing it cannot run is dropped: bad messages go to the
 * dead-letter queue with the reason, and, when they carry a task id, a FAILURE result says why.
 */
final class Dispatcher {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    /**
     * How long a message for a task whose package was just removed waits for it to come back (a hot redeploy
     * is an uninstall then an install) before it is dead-lettered as unregistered.
     */
    static final Duration REDEPLOY_GRACE = Duration.ofSeconds(30);
    private static final long REDEPLOY_RETRY_MILLIS = 500;

    /** Dispatches a held delivery again: how the timer and pool threads give one back to the dispatcher. */
    @FunctionalInterface
    interface Redispatch {
        void redispatch(Delivery d, boolean holdsPermit);
    }

    private final Transport transport;
    private final TaskRegistry registry;
    private final WorkerOptions options;
    private final DispatchOptions dispatch;
    /** Accepted content types and the codec for each. */
    private final Map<String, ProtocolV2> codecs = new LinkedHashMap<>();
    private final TaskPool pool;
    private final Outcomes outcomes;
    private final Revocations revocations;
    private final Admission admission;
    private final TaskRunner runner;
    private final TaskRequests requests;
    private final ScheduledExecutorService timer;
    private final RunState state;
    private final Set<DeliveryRef> waitingForRedeploy = ConcurrentHashMap.newKeySet();

    /** @param serializers the catalog that names the serializers behind {@code acceptContent} */
    Dispatcher(Transport transport, TaskRegistry registry, PluginCatalog serializers, WorkerOptions options,
               DispatchOptions dispatch, TaskPool pool, Outcomes outcomes, Revocations revocations,
               Admission admission, TaskRunner runner, TaskRequests requests, ScheduledExecutorService timer,
               RunState state) {
        this.transport = transport;
        this.registry = registry;
        this.options = options;
        this.dispatch = dispatch;
        for (String accepted : options.acceptContent()) {
            Serializer s = serializers.serializer(accepted);
            codecs.put(s.contentType(), new ProtocolV2(s));
        }
        this.pool = pool;
        this.outcomes = outcomes;
        this.revocations = revocations;
        this.admission = admission;
        this.runner = runner;
        this.requests = requests;
        this.timer = timer;
        this.state = state;
    }

    static boolean isExpired(TaskMessage task) {
        return task.expires() != null && Instant.now().isAfter(task.expires());
    }

    /**
     * Hands a delivery just received to the pool, holding its prefetch slot. Decoding happens on the pool thread
     * that runs the task: one consumer thread decoding for every pool thread would cap the worker's rate.
     */
    void dispatch(Delivery d) {
        try {
            pool.execute(new Intake(d));
        } catch (RejectedExecutionException e) {
            outcomes.giveBack(d, true); // a cold shutdown closed the pool
        }
    }

    /**
     * Dispatches a held delivery again, from the timer or a pool thread, after a job was made for it: it is not
     * reported received twice. Gives it back once stopping.
     */
    void redispatch(Delivery d, boolean holdsPermit) {
        redispatch(d, holdsPermit, true);
    }

    /** @param again whether a job was made for the delivery before */
    private void redispatch(Delivery d, boolean holdsPermit, boolean again) {
        TaskRunner.Job job = prepareOrGiveBack(d, holdsPermit, again);
        if (job != null) {
            try {
                pool.execute(job);
            } catch (RejectedExecutionException e) {
                requests.ended(job);
                outcomes.giveBack(d, holdsPermit); // the pool shut down in between: a warm stop
            }
        }
    }

    /** {@link #prepare}, or the delivery back to the broker when stopping or when it cannot be prepared. */
    private TaskRunner.Job prepareOrGiveBack(Delivery d, boolean holdsPermit, boolean again) {
        if (!state.running()) {
            outcomes.giveBack(d, holdsPermit);
            return null;
        }
        try {
            return prepare(d, holdsPermit, again);
        } catch (TransportException | BackendException e) {
            // The broker or backend failed it, not the message: it may go through another time.
            LOG.error("Cannot dispatch message from {}; returning it: {}", d.queue(), e.toString());
            outcomes.giveBack(d, holdsPermit);
            return null;
        } catch (RuntimeException | StackOverflowError e) {
            // The message made the worker fail, and would again each time it came back: returned, it would go round
            // for ever. Never let one message stop the worker, nor lose it: it goes to the dead letters with why.
            LOG.error("Cannot dispatch message {} from {}", d.message().taskId(), d.queue(), e);
            outcomes.deadLetter(d, null, "cannot be dispatched: " + e, ExceptionInfo.of(e), holdsPermit);
            return null;
        }
    }

    /**
     * Decodes and checks a delivery: settles what cannot run (dead letter, expired), puts aside what must wait
     * (ETA, redeploy), and returns the job to run now, or null.
     *
     * @param holdsPermit whether the delivery holds a prefetch slot (not once it waited for its ETA)
     * @param again       whether a job was made for the delivery before
     */
    private TaskRunner.Job prepare(Delivery d, boolean holdsPermit, boolean again) {
        Message m = d.message();
        String id = m.taskId();
        if (d.unreadable() != null) {
            // Not a message at all: its bytes go to the dead letters as they came; there is no task to fail.
            outcomes.deadLetter(d, null, d.unreadable(), null, holdsPermit);
            return null;
        }
        if (m.body().length > options.maxMessageBytes()) {
            outcomes.deadLetter(d, null, "message of " + m.body().length
                    + " bytes is larger than message_max_bytes (" + options.maxMessageBytes() + ")",
                    ExceptionInfo.celery("MessageTooLarge", null), holdsPermit);
            return null;
        }
        long headers = MessageSize.headers(m, options.maxMessageBytes());
        if (headers > options.maxMessageBytes()) {
            outcomes.deadLetter(d, null, "message headers of at least " + headers
                    + " bytes are larger than message_max_bytes (" + options.maxMessageBytes() + ")",
                    ExceptionInfo.celery("MessageTooLarge", null), holdsPermit);
            return null;
        }
        ProtocolV2 codec = codecs.get(m.contentType());
        if (codec == null) {
            outcomes.deadLetter(d, null, "content type " + Repr.of(m.contentType())
                    + " is not accepted (accept_content = " + options.acceptContent() + ")",
                    new ExceptionInfo("ContentDisallowed", "kombu.exceptions", null), holdsPermit);
            return null;
        }
        TaskMessage task;
        try {
            task = codec.decode(m);
        } catch (MalformedMessageException e) {
            if (e.getCause() instanceof UntrustedMessageException untrusted) {
                // Celery's worker drops such a message with a log line; here it also leaves a trace where one looks
                outcomes.deadLetter(d, null, "refused by the auth serializer: " + untrusted.getMessage(),
                        ExceptionInfo.celery("SecurityError", untrusted.getMessage()), holdsPermit);
            } else {
                outcomes.deadLetter(d, null, "malformed message: " + e.getMessage(),
                        new ExceptionInfo("MalformedMessage", "celeriac", null), holdsPermit);
            }
            return null;
        }
        if (registry.find(task.task()).isEmpty()) {
            if (registry.wasRemovedWithin(task.task(), REDEPLOY_GRACE) && state.running()) {
                if (waitingForRedeploy.add(new DeliveryRef(d))) {
                    LOG.info("Task {} is being redeployed; message {} waits for it", task.task(), id);
                }
                timer.schedule(() -> redispatch(d, holdsPermit, again), REDEPLOY_RETRY_MILLIS,
                        TimeUnit.MILLISECONDS);
                return null;
            }
            waitingForRedeploy.remove(new DeliveryRef(d));
            // Stored as Celery's worker stores it, NotRegistered('name'); the reason stays on the dead letter.
            outcomes.deadLetter(d, task, "Received unregistered task of type " + Repr.of(task.task()),
                    ExceptionInfo.celery("NotRegistered", task.task()), holdsPermit);
            return null;
        }
        waitingForRedeploy.remove(new DeliveryRef(d));
        if (isExpired(task)) {
            outcomes.revokeExpired(d, task, holdsPermit);
            return null;
        }
        if (revocations.isRevoked(task)) {
            outcomes.settleRevoked(d, task, holdsPermit);
            return null;
        }
        TaskRunner.Job job = runner.job(d, task, codec, holdsPermit);
        requests.received(job, again);
        try {
            return admission.admit(d, task, job, holdsPermit);
        } catch (RuntimeException e) {
            requests.ended(job); // the delivery goes back: see prepareOrGiveBack
            throw e;
        }
    }

    /**
     * For a message the broker gave out before without it being settled, most likely to a worker that died or hung
     * with it: counts the delivery in a copy published in its place (the original acked after), or dead-letters it
     * and fails its task once delivered more than {@code maxDeliveries} times. A task that kills its worker every
     * time thus runs a bounded number of times. False when the copy cannot be published: it runs as it is.
     */
    private boolean recount(Delivery d) {
        Message m = d.message();
        int deliveries = Redeliveries.count(m) + 1;
        if (deliveries > dispatch.maxDeliveries()) {
            outcomes.deadLetter(d, requests.observing() ? decodeOrNull(m) : null, "delivered " + deliveries
                    + " times without being settled (worker_max_deliveries is " + dispatch.maxDeliveries()
                    + "): its task may kill or hang its worker",
                    new ExceptionInfo("WorkerLostError", "billiard.exceptions", null), true);
            return true;
        }
        try {
            transport.publish(d.queue(), Redeliveries.counted(m, deliveries, options.hostname()));
        } catch (RuntimeException e) {
            LOG.warn("Cannot count the redelivery of {}; running it as it is: {}", m.taskId(), e.getMessage());
            return false;
        }
        LOG.warn("Message {} was delivered before without being settled; delivery {} of at most {} requeued",
                m.taskId(), deliveries, dispatch.maxDeliveries());
        outcomes.settle(d, true, true);
        return true;
    }

    /** The task a message carries, or null when it cannot be decoded: for an event only. */
    private TaskMessage decodeOrNull(Message m) {
        ProtocolV2 codec = codecs.get(m.contentType());
        try {
            return codec == null ? null : codec.decode(m);
        } catch (MalformedMessageException | RuntimeException e) {
            return null;
        }
    }

    /** A delivery just received: decoded and run on the pool thread that takes it. */
    private final class Intake implements TaskPool.Pending {
        private final Delivery delivery;

        Intake(Delivery delivery) {
            this.delivery = delivery;
        }

        @Override
        public Delivery delivery() {
            return delivery;
        }

        @Override
        public void run() {
            pool.roomMade();
            if (delivery.redelivered() && dispatch.maxDeliveries() > 0 && state.running() && recount(delivery)) {
                return;
            }
            TaskRunner.Job job = prepareOrGiveBack(delivery, true, false);
            if (job != null) {
                job.run();
            }
        }
    }
}
