package org.celeriac.client;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.celeriac.protocol.ProtocolV2;
import org.celeriac.protocol.TaskMessage;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.serializer.Serializer;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;

/** Sends tasks by name, as Celery's {@code send_task}. Thread-safe. */
public final class CeleriacClient {

    private final Transport transport;
    private final ResultBackend backend;
    private final ProtocolV2 protocol;
    private final String defaultQueue;
    private final int maxMessageBytes;
    private final String origin = ProtocolV2.defaultOrigin();

    public CeleriacClient(Transport transport, ResultBackend backend, Serializer serializer, String defaultQueue,
                          int maxMessageBytes) {
        this.transport = transport;
        this.backend = backend;
        this.protocol = new ProtocolV2(serializer);
        this.defaultQueue = defaultQueue;
        this.maxMessageBytes = maxMessageBytes;
    }

    public AsyncResult send(String task, List<?> args, Map<String, ?> kwargs) {
        return send(task, args, kwargs, SendOptions.defaults());
    }

    /**
     * Sends a task; returns once the broker has it.
     *
     * @throws IllegalArgumentException when the encoded message is larger than {@code message_max_bytes}
     */
    @SuppressWarnings("unchecked")
    public AsyncResult send(String task, List<?> args, Map<String, ?> kwargs, SendOptions options) {
        String id = options.taskId() != null ? options.taskId() : UUID.randomUUID().toString();
        String queue = options.queue() != null ? options.queue() : defaultQueue;
        Instant eta = options.eta();
        if (eta == null && options.countdown() != null) {
            eta = Instant.now().plus(options.countdown());
        }
        TaskMessage message = TaskMessage.of(id, task, args == null ? List.of() : (List<Object>) args,
                        kwargs == null ? Map.of() : (Map<String, Object>) kwargs)
                .withEta(eta)
                .withOptions(options.expires(), options.timeLimit(), options.softTimeLimit(),
                        options.priority() == null ? 0 : options.priority(), null, options.ignoreResult(), origin);
        Message encoded = protocol.encode(message, queue);
        if (encoded.body().length > maxMessageBytes) {
            throw new IllegalArgumentException("task " + task + " message is " + encoded.body().length
                    + " bytes, more than message_max_bytes (" + maxMessageBytes + ")");
        }
        transport.publish(queue, encoded);
        return new AsyncResult(id, backend);
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
