package org.celeriac.transport.amqp;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

import org.celeriac.resultmeta.ResultMetaJson;
import org.celeriac.spi.backend.BackendException;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.TaskResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;

/**
 * Celery's {@code rpc://} result backend: a worker sends each result as a message to the queue its sender named in
 * {@code reply_to}, through the default exchange, with the task id as {@code correlation_id} and Celery's result meta
 * as the JSON body; the sender's client keeps the latest state of each task it hears of. So only the sender sees a
 * result, nothing is stored on the broker once read, and results sent while the client is away are lost, as in
 * Celery.
 *
 * <p>The reply queue is declared on first use as Celery declares its own: named uniquely for this client, not
 * durable, deleted with its last consumer, and expiring ({@code x-expires}) after a day unused. It is consumed
 * without acks.
 */
final class RpcResultBackend implements ResultBackend {

    private static final Logger LOG = LoggerFactory.getLogger(RpcResultBackend.class);
    private static final String JSON = "application/json";
    /** Results heard of and not read are kept up to this many, oldest dropped first. */
    static final int MAX_KEPT = 100_000;
    private static final Duration QUEUE_EXPIRES = Duration.ofDays(1);

    private final AmqpUrl url;
    private final Connection connection;
    /** Publishes the replies, confirmed, sharing the broker's confirms between the threads that store. */
    private final ConfirmedPublisher publisher;
    /** Task id to its latest result; guarded by itself, which waiters wait on. */
    private final Map<String, Kept> results = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Kept> eldest) {
            return size() > MAX_KEPT;
        }
    };
    private volatile String replyQueue;

    /** A result heard of, readable until {@code expiresAt} ({@link System#nanoTime()}), or forever when 0. */
    private record Kept(TaskResult result, long expiresAt) {
        boolean expired(long now) {
            return expiresAt != 0 && now - expiresAt > 0;
        }
    }

    RpcResultBackend(AmqpUrl url) {
        this.url = url;
        this.connection = AmqpTransport.connect(url);
        this.publisher = new ConfirmedPublisher(connection, url.confirmTimeout().toMillis());
    }

    @Override
    public boolean repliesToSender() {
        return true;
    }

    @Override
    public String replyQueue() {
        String q = replyQueue;
        if (q == null) {
            synchronized (this) {
                if (replyQueue == null) {
                    replyQueue = listen();
                }
                q = replyQueue;
            }
        }
        return q;
    }

    private String listen() {
        String name = UUID.randomUUID().toString();
        try {
            Channel ch = connection.createChannel();
            ch.queueDeclare(name, false, false, true, Map.of("x-expires", QUEUE_EXPIRES.toMillis()));
            ch.basicConsume(name, true, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                           byte[] body) {
                    heard(properties, body);
                }
            });
            LOG.debug("Receiving results on {}", name);
            return name;
        } catch (IOException | ShutdownSignalException e) {
            throw new BackendException("Cannot declare the reply queue on " + url + ": " + e.getMessage(), e);
        }
    }

    /** A reply arrived: keep it as the task's latest state, and wake whoever waits for it. */
    private void heard(AMQP.BasicProperties properties, byte[] body) {
        if (properties.getContentType() != null && !JSON.equals(properties.getContentType())) {
            LOG.warn("Dropping a reply of content type {} (task {}): results are read as JSON only",
                    properties.getContentType(), properties.getCorrelationId());
            return;
        }
        TaskResult r;
        try {
            r = ResultMetaJson.decode(new String(body, StandardCharsets.UTF_8), properties.getCorrelationId());
        } catch (BackendException e) {
            LOG.warn("Dropping an unreadable reply (task {}): {}", properties.getCorrelationId(), e.getMessage());
            return;
        }
        long expiresAt = 0;
        if (properties.getExpiration() != null) {
            try {
                expiresAt = System.nanoTime() + Duration.ofMillis(Long.parseLong(properties.getExpiration())).toNanos();
            } catch (NumberFormatException e) {
                LOG.debug("Ignoring expiration {} of the reply for {}", properties.getExpiration(), r.taskId());
            }
        }
        synchronized (results) {
            results.put(r.taskId(), new Kept(r, expiresAt));
            results.notifyAll();
        }
    }

    @Override
    public void store(TaskResult result, Duration ttl) {
        storeAll(List.of(result), ttl);
    }

    /**
     * Sends each result to its sender's reply queue, and waits for the broker's confirms; results whose sender named
     * none are dropped, as Celery does. Results to one sender go together, in order.
     */
    @Override
    public void storeAll(Collection<TaskResult> batch, Duration ttl) {
        Map<String, List<TaskResult>> bySender = new LinkedHashMap<>();
        for (TaskResult r : batch) {
            if (r.extended().get("reply_to") instanceof String replyTo) {
                bySender.computeIfAbsent(replyTo, q -> new ArrayList<>()).add(r);
            } else {
                LOG.debug("Task {} has no reply_to: its result goes nowhere", r.taskId());
            }
        }
        try {
            for (Map.Entry<String, List<TaskResult>> e : bySender.entrySet()) {
                List<AMQP.BasicProperties> properties = new ArrayList<>();
                List<byte[]> bodies = new ArrayList<>();
                for (TaskResult r : e.getValue()) {
                    Object correlationId = r.extended().get("correlation_id");
                    properties.add(new AMQP.BasicProperties.Builder()
                            .contentType(JSON)
                            .contentEncoding("utf-8")
                            .correlationId(correlationId == null ? r.taskId() : correlationId.toString())
                            .deliveryMode(1) // Celery's result_persistent default: the reply queue is not durable
                            .expiration(ttl == null ? null : Long.toString(Math.max(0, ttl.toMillis())))
                            .build());
                    bodies.add(ResultMetaJson.encode(withoutAddress(r)).getBytes(StandardCharsets.UTF_8));
                }
                publisher.publish("", e.getKey(), false, properties, bodies);
            }
        } catch (IOException | TimeoutException | ShutdownSignalException e) {
            throw new BackendException("Cannot send results on " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("Interrupted while sending results", e);
        }
    }

    /** The address is the envelope's business, not the meta's. */
    private static TaskResult withoutAddress(TaskResult r) {
        Map<String, Object> extended = new LinkedHashMap<>(r.extended());
        extended.remove("reply_to");
        extended.remove("correlation_id");
        return new TaskResult(r.taskId(), r.state(), r.result(), r.traceback(), r.children(), r.dateDone(), extended);
    }

    @Override
    public Optional<TaskResult> get(String taskId) {
        synchronized (results) {
            Kept k = results.get(taskId);
            if (k == null) {
                return Optional.empty();
            }
            if (k.expired(System.nanoTime())) {
                results.remove(taskId);
                return Optional.empty();
            }
            return Optional.of(k.result());
        }
    }

    @Override
    public Optional<TaskResult> await(String taskId, Duration timeout) throws InterruptedException {
        replyQueue(); // a client that only waits still has to listen
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (results) {
            while (true) {
                Optional<TaskResult> r = get(taskId);
                if (r.isPresent() && r.get().state().isReady()) {
                    return r;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                results.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    @Override
    public void forget(String taskId) {
        synchronized (results) {
            results.remove(taskId);
        }
    }

    /** Celery's rpc backend has no shared store, so no chords; neither has this one. */
    @Override
    public long increment(String key, long delta, Duration ttl) {
        throw new UnsupportedOperationException("The rpc result backend keeps no shared counters, so it cannot run"
                + " chords (as in Celery): use a Redis or SQL result backend for them");
    }

    @Override
    public void close() {
        try {
            connection.close(5_000);
        } catch (IOException | ShutdownSignalException e) {
            LOG.debug("Closing {}: {}", url, e.toString());
        }
    }

    @Override
    public String toString() {
        return "RpcResultBackend[" + url + "]";
    }
}
