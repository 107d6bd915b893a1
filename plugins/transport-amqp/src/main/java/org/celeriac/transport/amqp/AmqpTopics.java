package org.celeriac.transport.amqp;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;

/**
 * Topic exchanges as Celery's events use them ({@code celery/events}):
 * <ul>
 * <li>the exchange is declared as kombu's {@code Exchange('celeryev', type='topic')}: durable, not auto-deleted, so
 *     that either side may declare it first;</li>
 * <li>messages go out as {@code EventDispatcher} sends them: transient unless the message says otherwise, with the
 *     message's headers (Celery's {@code hostname}), on a channel of its own with publisher confirms;</li>
 * <li>a subscription is the queue {@code <exchange>.<uuid>} ({@code celeryev.<uuid>} as {@code EventReceiver}
 *     names it) on a channel of its own, declared as Celery's event receiver does: not durable, auto-deleted when
 *     its consumer goes, with Celery's {@code event_queue_ttl} and {@code event_queue_expires} as
 *     {@code x-message-ttl} and {@code x-expires}; bound with the pattern and consumed with auto-ack. The client's
 *     topology recovery declares, binds and consumes it again after the connection comes back. It is not exclusive:
 *     after a partition the broker may still hold the old connection when the new one declares the queue again,
 *     which an exclusive queue would refuse (RESOURCE_LOCKED), leaving the subscription deaf for good; {@code x-expires}
 *     removes it if nobody comes back for it.</li>
 * </ul>
 * Topic queues stay classic queues whatever {@code queue_type} says: they are transient, which quorum queues are not.
 */
final class AmqpTopics {

    private static final Logger LOG = LoggerFactory.getLogger(AmqpTopics.class);
    private static final int TRANSIENT = 1;

    private final AmqpUrl url;
    private final Connection connection;
    private final Object publishLock = new Object();
    private final Set<String> declared = ConcurrentHashMap.newKeySet();
    private Channel publishChannel;

    AmqpTopics(AmqpUrl url, Connection connection) {
        this.url = url;
        this.connection = connection;
    }

    void publish(String exchange, String routingKey, Message message) {
        AMQP.BasicProperties props = AmqpTransport.properties(message, TRANSIENT);
        synchronized (publishLock) {
            try {
                try {
                    publishOnce(exchange, routingKey, props, message.body());
                } catch (IOException | ShutdownSignalException e) {
                    if (!AmqpTransport.notFound(e)) {
                        throw e;
                    }
                    // the exchange was deleted since we declared it: declare it again, once
                    LOG.warn("Topic exchange {} is gone on {}; declaring it again", exchange, url);
                    declared.remove(exchange);
                    publishOnce(exchange, routingKey, props, message.body());
                }
            } catch (IOException | TimeoutException | ShutdownSignalException e) {
                throw new TransportException("Publishing on topic exchange " + exchange + " on " + url + " failed: "
                        + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new TransportException("Interrupted while publishing on " + exchange, e);
            }
        }
    }

    private void publishOnce(String exchange, String routingKey, AMQP.BasicProperties props, byte[] body)
            throws IOException, InterruptedException, TimeoutException {
        Channel ch = publishChannel();
        if (!declared.contains(exchange)) {
            declareExchange(ch, exchange);
            declared.add(exchange);
        }
        ch.basicPublish(exchange, routingKey, props, body);
        ch.waitForConfirmsOrDie(url.confirmTimeout().toMillis());
    }

    private Channel publishChannel() throws IOException {
        if (publishChannel == null || !publishChannel.isOpen()) {
            publishChannel = connection.createChannel();
            publishChannel.confirmSelect();
        }
        return publishChannel;
    }

    /** As kombu's {@code Exchange(name, type='topic')}: durable, not auto-deleted, no arguments. */
    private static void declareExchange(Channel ch, String exchange) throws IOException {
        ch.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, true, false, null);
    }

    /** The queue of a new subscription: Celery's event queue name and arguments. */
    static String queueName(String exchange) {
        return exchange + "." + UUID.randomUUID();
    }

    Map<String, Object> queueArguments() {
        Map<String, Object> arguments = new HashMap<>();
        if (url.eventQueueTtl() != null) {
            arguments.put("x-message-ttl", millis(url.eventQueueTtl()));
        }
        if (url.eventQueueExpires() != null) {
            arguments.put("x-expires", millis(url.eventQueueExpires()));
        }
        return arguments;
    }

    /** An int of milliseconds, as kombu sends them. */
    private static int millis(java.time.Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, d.toMillis()));
    }

    Subscription subscribe(String exchange, String pattern, Consumer<Message> listener) {
        Channel ch = null;
        try {
            ch = connection.createChannel();
            declareExchange(ch, exchange);
            String queue = ch.queueDeclare(queueName(exchange), false, false, true, queueArguments()).getQueue();
            ch.queueBind(queue, exchange, pattern);
            ch.basicConsume(queue, true, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                           byte[] body) {
                    try {
                        listener.accept(AmqpTransport.message(body, properties, envelope));
                    } catch (RuntimeException e) {
                        LOG.warn("A listener on {} ({}) failed", exchange, pattern, e);
                    }
                }
            });
            Channel subscribed = ch;
            return () -> {
                try {
                    subscribed.close(); // cancels the consumer: the auto-delete queue goes with it
                } catch (IOException | TimeoutException | ShutdownSignalException e) {
                    LOG.debug("Closing the subscription to {} ({}): {}", exchange, pattern, e.toString());
                }
            };
        } catch (IOException | ShutdownSignalException e) {
            if (ch != null && ch.isOpen()) {
                try {
                    ch.close();
                } catch (IOException | TimeoutException | ShutdownSignalException ignored) {
                    // already failing
                }
            }
            throw new TransportException("Cannot subscribe to " + exchange + " (" + pattern + ") on " + url + ": "
                    + e.getMessage(), e);
        }
    }
}
