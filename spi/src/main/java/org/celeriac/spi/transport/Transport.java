package org.celeriac.spi.transport;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A connection to one broker. Implementations are safe for use by several threads.
 *
 * <p>Delivery is at least once: a message received and neither acked nor rejected goes back to its queue
 * when this transport is closed, and, if the process dies, when the broker notices (connection loss or a
 * visibility timeout, by transport).
 */
@ConsumerType
public interface Transport extends AutoCloseable {

    /** Creates the queue if it does not exist. Idempotent. */
    void declare(String queue);

    /** Puts a message on a queue; returns once the broker has it. */
    void publish(String queue, Message message);

    /** Puts several messages on one queue, in order; transports batch where their broker allows. */
    default void publishAll(String queue, List<Message> messages) {
        for (Message m : messages) {
            publish(queue, m);
        }
    }

    /**
     * Takes up to {@code max} messages from the given queues, waiting up to {@code wait} for the first.
     * Messages of higher {@link Message#priority()} come first where the transport supports priorities.
     *
     * @return the deliveries, empty when none arrived in time
     */
    List<Delivery> receive(Collection<String> queues, int max, Duration wait) throws InterruptedException;

    /** Settles a delivery as done: the broker forgets the message. */
    void ack(Delivery delivery);

    /**
     * Settles several deliveries as done; transports batch where their broker allows. When it throws, some may
     * have been settled: the others come back, which at-least-once allows.
     */
    default void ackAll(Collection<Delivery> deliveries) {
        for (Delivery d : deliveries) {
            ack(d);
        }
    }

    /** Settles a delivery as not done: back on its queue when {@code requeue}, otherwise dropped. */
    void reject(Delivery delivery, boolean requeue);

    /**
     * Tells the broker that these deliveries are still held, so that a visibility timeout does not hand them
     * to another consumer while a task runs or waits for its ETA. Transports without leases ignore it.
     */
    default void renew(Collection<Delivery> held) {
    }

    /**
     * How long a received message stays hidden from other consumers unless {@link #renew renewed}; the
     * kernel renews well within it. Null for brokers whose deliveries are bound to the connection instead.
     */
    default Duration visibilityTimeout() {
        return null;
    }

    /**
     * How long the broker lets a consumer keep a delivery unsettled before it takes the delivery back (RabbitMQ's
     * {@code consumer_timeout}), or null when there is no such limit. The kernel gives a message it holds for a
     * distant ETA back, as a fresh copy published before the original is acked, well before that.
     */
    default Duration maxHold() {
        return null;
    }

    /** Sends a message to every current subscriber of a broadcast (fanout) exchange. */
    void broadcast(String exchange, Message message);

    /** Receives, on a transport thread, what is broadcast on an exchange from now on. */
    Subscription subscribe(String exchange, Consumer<Message> listener);

    /**
     * Publishes on a topic exchange, as Celery's events go to {@code celeryev} with routing keys such as
     * {@code task.succeeded}. Subscribers whose pattern matches receive it; nothing is kept for later ones.
     *
     * <p>By default a {@link #broadcast} on the exchange with the exchange and routing key in the
     * {@code delivery_info} property, as kombu gives them, which the default {@link #subscribeTopic} filters: a
     * transport with broadcasts has topics too, readable by this same transport. Brokers with topic exchanges of
     * their own override both, for Celery to read them.
     */
    default void publishTopic(String exchange, String routingKey, Message message) {
        java.util.Map<String, Object> properties = new java.util.LinkedHashMap<>(message.properties());
        properties.put("delivery_info", java.util.Map.of("exchange", exchange, "routing_key", routingKey));
        broadcast(exchange, new Message(message.body(), message.contentType(), message.contentEncoding(),
                message.headers(), properties));
    }

    /**
     * Receives, on a transport thread, what is published on a topic exchange from now on with a routing key that
     * matches {@code pattern} (AMQP's: words separated by dots, {@code *} one word, {@code #} any number).
     * By default a {@link #subscribe} that drops what the pattern does not match (see {@link #publishTopic}).
     */
    default Subscription subscribeTopic(String exchange, String pattern, Consumer<Message> listener) {
        TopicPattern topic = TopicPattern.of(pattern);
        return subscribe(exchange, m -> {
            if (m.properties().get("delivery_info") instanceof java.util.Map<?, ?> info
                    && info.get("routing_key") instanceof String key && topic.matches(key)) {
                listener.accept(m);
            }
        });
    }

    /**
     * Publishes on a direct exchange: the message goes to each queue bound to {@code exchange} under
     * {@code routingKey}, and is dropped when none is, as Celery's remote-control replies go to
     * {@code reply.celery.pidbox} under the caller's id.
     *
     * <p>By default a {@link #broadcast} on {@code exchange/routingKey}, which the default {@link #subscribeDirect}
     * receives: a transport with broadcasts has direct exchanges too, readable by this same transport. Brokers that
     * Celery shares override both, for Celery to read them.
     */
    default void publishDirect(String exchange, String routingKey, Message message) {
        broadcast(exchange + "/" + routingKey, message);
    }

    /**
     * Binds a queue of the caller's to a direct exchange under {@code routingKey} and receives, on a transport
     * thread, what reaches it from now on; closing the subscription deletes the queue and its binding. As Celery's
     * remote-control caller binds {@code <oid>.reply.celery.pidbox} to {@code reply.celery.pidbox} under its oid.
     *
     * @param queue the queue's name, for brokers that name queues; short-lived, gone when the subscription closes
     *              (or, if the process dies, when the broker expires it)
     */
    default Subscription subscribeDirect(String exchange, String routingKey, String queue, Consumer<Message> listener) {
        return subscribe(exchange + "/" + routingKey, listener);
    }

    /** Removes every waiting message of a queue; returns how many. */
    long purge(String queue);

    /** The number of messages waiting on a queue (not counting those held by consumers). */
    long size(String queue);

    /** Returns unsettled deliveries to their queues and releases the connection. */
    @Override
    void close();
}
