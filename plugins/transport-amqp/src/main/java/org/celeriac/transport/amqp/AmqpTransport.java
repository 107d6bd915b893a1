package org.celeriac.transport.amqp;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;

/**
 * The transport on RabbitMQ (AMQP 0-9-1), laid out as kombu's py-amqp transport and Celery's defaults, so that
 * Python Celery workers and producers share the broker:
 * <ul>
 * <li>a queue is a durable queue of that name without arguments ({@code x-max-priority} only with the
 *     {@code queue_max_priority} option, {@code x-queue-type: quorum} with {@code queue_type=quorum}), bound with
 *     its own name as routing key to a durable direct exchange of the same name, as Celery declares a queue it was
 *     not configured with ({@code Queue(name, Exchange(name), name)}); for the default queue that is Celery's
 *     {@code celery} exchange;</li>
 * <li>messages are published to the queue's exchange with the queue's name as routing key, persistent (delivery mode 2),
 *     the protocol headers as AMQP headers, and waited for with publisher confirms: a publish returns once the broker
 *     has its messages (on disk). Threads publishing at once share one channel and have their messages confirmed
 *     together ({@link ConfirmedPublisher}). Like kombu's {@code maybe_declare}, the first publish to a queue declares
 *     it, so a message is not dropped as unroutable, and messages returned as unroutable (the queue was deleted) are
 *     sent once more after declaring it again;</li>
 * <li>receiving consumes every queue asked for on one channel into a buffer. The broker holds what it delivered
 *     until acked, or until the connection goes. The channel's prefetch follows what the caller holds plus what it
 *     asks for, as Celery raises its QoS for ETA tasks: held messages never stop the flow. It is global, or per
 *     consumer for quorum queues, which refuse global QoS;</li>
 * <li>broadcasts go to a fanout exchange declared as kombu's pidbox does (not durable, not auto-deleted); each
 *     subscription binds an exclusive, auto-deleted, server-named queue to it;</li>
 * <li>topic exchanges (Celery's events, {@code celeryev}) as {@link AmqpTopics} says.</li>
 * <li>direct exchanges (Celery's remote-control replies) are declared as kombu's reply exchange; a subscription is
 *     the named queue declared as Celery's reply queue, bound under the routing key.</li>
 * </ul>
 * Settling goes to the channel that delivered, by delivery tag. Acks given together ({@link #ackAll}) go as one
 * multiple ack where they are the channel's lowest unsettled tags, and otherwise wait a few milliseconds for the
 * lower ones to be acked too ({@link Unsettled}). The connection recovers by itself (the client's
 * automatic recovery, with its consumers); deliveries buffered but not yet handed out when it broke are dropped, as
 * the broker gives them out again.
 */
final class AmqpTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(AmqpTransport.class);

    /**
     * The direct exchange a queue is bound to: the queue's own name, as Celery's automatic queues have it (and
     * {@code celery}, its {@code task_default_exchange}, for its default queue).
     */
    static String exchangeOf(String queue) {
        return queue;
    }
    private static final int PERSISTENT = 2;
    private static final int TRANSIENT = 1;
    /**
     * A reply queue's arguments as Celery's remote-control caller declares {@code <oid>.reply.celery.pidbox}: kombu's
     * {@code Mailbox.get_reply_queue} with Celery's {@code control_queue_expires} (10 s) and {@code control_queue_ttl}
     * (300 s, which Celery passes as {@code reply_queue_ttl}), in int milliseconds as py-amqp sends them.
     */
    static final Map<String, Object> REPLY_QUEUE_ARGUMENTS = Map.of("x-expires", 10_000, "x-message-ttl", 300_000);
    /** Prefetch is a short; 0 would mean unlimited. */
    private static final int MAX_PREFETCH = 0xFFFF;
    /** The prefetch is raised in steps of this, so that it is not set on every receive. */
    private static final int PREFETCH_STEP = 16;
    /** How long acks given together wait for a lower tag to be acked, so that one multiple ack covers them all. */
    static final long ACK_HOLD_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final AmqpUrl url;
    private final Connection connection;
    private final ConfirmedPublisher publisher;
    private final Object adminLock = new Object();
    private final Object consumeLock = new Object();
    private Channel adminChannel;
    private Channel consumeChannel;
    /** The unsettled deliveries of {@link #consumeChannel} (set under consumeLock). */
    private volatile Settlements settlements;
    /** Flushes acks that waited long enough ({@link Unsettled}); started with the first that waits. */
    private java.util.concurrent.ScheduledExecutorService ackTimer;
    /** Queue name to consumer tag, on {@link #consumeChannel}. */
    private final Map<String, String> consumers = new ConcurrentHashMap<>();
    private final Set<String> declared = ConcurrentHashMap.newKeySet();
    private final Set<String> declaredExchanges = ConcurrentHashMap.newKeySet();
    private final Set<String> declaredDirect = ConcurrentHashMap.newKeySet();
    private final BlockingQueue<Delivery> buffer = new LinkedBlockingQueue<>();
    /** Deliveries taken from the buffer for a queue the caller did not ask for that time. */
    private final ConcurrentLinkedDeque<Delivery> parked = new ConcurrentLinkedDeque<>();
    /** Deliveries handed out and not settled. */
    private final AtomicInteger handedOut = new AtomicInteger();
    private int prefetch;
    private final AmqpTopics topics;

    /**
     * The handle in {@link Delivery#tag()}: settlements go to the channel that delivered, through the
     * {@link Unsettled} of that channel's life.
     */
    record Tag(Channel channel, long deliveryTag, Unsettled unsettled) {
    }

    /**
     * The unsettled deliveries of a consuming channel in its current life. A channel that comes back with the
     * connection's recovery numbers its deliveries on from where it was, and the broker forgot those of before (the
     * client drops their acks): they are kept apart, so that they never hold up the acks of later ones.
     */
    private final class Settlements implements com.rabbitmq.client.ShutdownListener {
        private final Channel channel;
        private volatile Unsettled current;

        Settlements(Channel channel) {
            this.channel = channel;
            this.current = newLife();
        }

        private Unsettled newLife() {
            return new Unsettled(channel, ACK_HOLD_NANOS, AmqpTransport.this::flushLater);
        }

        Unsettled current() {
            return current;
        }

        @Override
        public void shutdownCompleted(ShutdownSignalException cause) {
            current = newLife();
        }
    }

    /** Flushes the acks of {@code unsettled} once they waited {@link #ACK_HOLD_NANOS}. */
    private void flushLater(Unsettled unsettled) {
        java.util.concurrent.ScheduledExecutorService timer;
        synchronized (this) {
            if (ackTimer == null) {
                ackTimer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "celeriac-amqp-acks");
                    t.setDaemon(true);
                    return t;
                });
            }
            timer = ackTimer;
        }
        try {
            timer.schedule(() -> flush(unsettled), ACK_HOLD_NANOS, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            flush(unsettled); // closing
        }
    }

    private void flush(Unsettled unsettled) {
        try {
            unsettled.flush();
        } catch (IOException | ShutdownSignalException e) {
            // the channel is gone, and the broker gives those messages out again
            LOG.debug("Cannot write acks on {}: {}", url, e.toString());
        }
    }

    AmqpTransport(AmqpUrl url) {
        this.url = url;
        this.connection = connect(url);
        this.topics = new AmqpTopics(url, connection);
        this.publisher = new ConfirmedPublisher(connection, url.confirmTimeout().toMillis());
        if (connection instanceof Recoverable r) {
            r.addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecovery(Recoverable recoverable) {
                    LOG.info("Connection to {} recovered", url);
                }

                @Override
                public void handleRecoveryStarted(Recoverable recoverable) {
                    // the broker gives these out again; settling them on the new channel would be refused
                    int dropped = drain().size();
                    LOG.warn("Connection to {} lost; recovering ({} buffered deliveries dropped)", url, dropped);
                }
            });
        }
    }

    static Connection connect(AmqpUrl url) {
        ConnectionFactory f = new NestingGuard();
        f.setHost(url.host());
        f.setPort(url.port());
        f.setVirtualHost(url.virtualHost());
        f.setUsername(url.user());
        f.setPassword(url.password());
        if (url.heartbeat() != null) {
            f.setRequestedHeartbeat((int) Math.max(0, url.heartbeat().toSeconds()));
        }
        int timeout = (int) Math.min(Integer.MAX_VALUE, url.connectionTimeout().toMillis());
        f.setConnectionTimeout(timeout);
        f.setHandshakeTimeout(timeout);
        f.setAutomaticRecoveryEnabled(true);
        f.setTopologyRecoveryEnabled(true);
        f.setNetworkRecoveryInterval(1_000);
        try {
            if (url.tls()) {
                f.useSslProtocol(url.sslCaCerts() == null ? javax.net.ssl.SSLContext.getDefault()
                        : TrustedCertificates.context(java.nio.file.Path.of(url.sslCaCerts())));
                f.enableHostnameVerification();
            }
            return f.newConnection("celeriac");
        } catch (IOException | TimeoutException | java.security.GeneralSecurityException e) {
            throw new TransportException("Cannot connect to " + url + ": " + reason(e), e);
        }
    }

    /** For tests: how many published messages wait for their confirm. */
    int publishesInFlight() {
        return publisher.inFlight();
    }

    /** For tests: the connection dies as in a killed process, nothing settled, no recovery. */
    void abortConnection() {
        connection.abort();
    }

    @Override
    public void declare(String queue) {
        admin(ch -> {
            declare(ch, queue);
            return null;
        });
        declared.add(queue);
    }

    private void declare(Channel ch, String queue) throws IOException {
        ch.exchangeDeclare(exchangeOf(queue), BuiltinExchangeType.DIRECT, true, false, null);
        ch.queueDeclare(queue, true, false, false, queueArguments(url));
        ch.queueBind(queue, exchangeOf(queue), queue);
    }

    @Override
    public void publish(String queue, Message message) {
        publishAll(queue, List.of(message));
    }

    @Override
    public void publishAll(String queue, List<Message> messages) {
        if (messages.isEmpty()) {
            return;
        }
        if (!declared.contains(queue)) {
            declare(queue);
        }
        List<AMQP.BasicProperties> properties = new ArrayList<>(messages.size());
        List<byte[]> bodies = new ArrayList<>(messages.size());
        for (Message m : messages) {
            properties.add(properties(m, PERSISTENT));
            bodies.add(m.body());
        }
        try {
            // mandatory: a message the broker cannot route comes back (basic.return) instead of being dropped
            List<Integer> back = publisher.publish(exchangeOf(queue), queue, true, properties, bodies);
            if (!back.isEmpty()) {
                // the queue went away behind our back (deleted): declare it again and send those once more
                LOG.warn("{} message(s) to {} were unroutable; declaring the queue again", back.size(), queue);
                declared.remove(queue);
                declare(queue);
                back = publisher.publish(exchangeOf(queue), queue, true, back.stream().map(properties::get).toList(),
                        back.stream().map(bodies::get).toList());
                if (!back.isEmpty()) {
                    throw new TransportException("No route to queue " + queue + " on " + url);
                }
            }
        } catch (IOException | TimeoutException | ShutdownSignalException e) {
            throw new TransportException("Publishing to " + queue + " on " + url + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("Interrupted while publishing to " + queue, e);
        }
    }

    /** kombu's {@code prepare_message}: the message's properties as AMQP's, its headers as the header table. */
    static AMQP.BasicProperties properties(Message m, int defaultDeliveryMode) {
        Map<String, Object> p = m.properties();
        AMQP.BasicProperties.Builder b = new AMQP.BasicProperties.Builder()
                .contentType(m.contentType())
                .contentEncoding(m.contentEncoding())
                .headers(FieldValues.toTable(m.headers()))
                .deliveryMode(p.get("delivery_mode") instanceof Number n ? n.intValue()
                        : "transient".equals(p.get("delivery_mode")) ? TRANSIENT : defaultDeliveryMode)
                .correlationId(string(p.get("correlation_id")))
                .replyTo(string(p.get("reply_to")))
                .expiration(string(p.get("expiration")))
                .messageId(string(p.get("message_id")))
                .type(string(p.get("type")))
                .userId(string(p.get("user_id")))
                .appId(string(p.get("app_id")));
        if (p.get("priority") instanceof Number n) {
            b.priority(Math.max(0, Math.min(255, n.intValue())));
        }
        if (p.get("timestamp") instanceof Number n) {
            b.timestamp(new Date(n.longValue() * 1000));
        }
        return b.build();
    }

    /** The reverse of {@link #properties}, with kombu's {@code delivery_info}. */
    static Message message(byte[] body, AMQP.BasicProperties props, Envelope envelope) {
        Map<String, Object> p = new LinkedHashMap<>();
        putIfSet(p, "correlation_id", props.getCorrelationId());
        putIfSet(p, "reply_to", props.getReplyTo());
        putIfSet(p, "priority", props.getPriority());
        putIfSet(p, "delivery_mode", props.getDeliveryMode());
        putIfSet(p, "expiration", props.getExpiration());
        putIfSet(p, "message_id", props.getMessageId());
        putIfSet(p, "type", props.getType());
        putIfSet(p, "user_id", props.getUserId());
        putIfSet(p, "app_id", props.getAppId());
        if (props.getTimestamp() != null) {
            p.put("timestamp", props.getTimestamp().getTime() / 1000);
        }
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("exchange", envelope.getExchange());
        info.put("routing_key", envelope.getRoutingKey());
        info.put("redelivered", envelope.isRedeliver());
        p.put("delivery_info", info);
        String contentType = props.getContentType() == null ? "application/data" : props.getContentType();
        return new Message(body, contentType, props.getContentEncoding(), FieldValues.fromTable(props.getHeaders()), p);
    }

    private static void putIfSet(Map<String, Object> p, String name, Object value) {
        if (value != null) {
            p.put(name, value);
        }
    }

    private static String string(Object v) {
        return v == null ? null : v.toString();
    }

    @Override
    public List<Delivery> receive(Collection<String> queues, int max, Duration wait) throws InterruptedException {
        if (max <= 0) {
            return List.of();
        }
        Set<String> wanted = Set.copyOf(queues);
        consume(wanted, max);
        List<Delivery> out = new ArrayList<>(Math.min(max, 64));
        for (Iterator<Delivery> it = parked.iterator(); it.hasNext() && out.size() < max; ) {
            Delivery d = it.next();
            if (wanted.contains(d.queue()) && parked.removeFirstOccurrence(d)) {
                out.add(d);
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (out.isEmpty()) {
            long left = deadline - System.nanoTime();
            Delivery d = left > 0 ? buffer.poll(left, TimeUnit.NANOSECONDS) : buffer.poll();
            if (d == null) {
                break;
            }
            take(d, wanted, out);
        }
        Delivery d;
        while (out.size() < max && (d = buffer.poll()) != null) {
            take(d, wanted, out);
        }
        handedOut.addAndGet(out.size());
        return out;
    }

    private void take(Delivery d, Set<String> wanted, List<Delivery> out) {
        if (wanted.contains(d.queue())) {
            out.add(d);
        } else {
            parked.addLast(d);
        }
    }

    /**
     * Starts consumers for queues not consumed yet, and raises the prefetch to what the caller holds plus what it
     * asks for now (lowered again once it is well above that).
     */
    private void consume(Set<String> queues, int max) {
        synchronized (consumeLock) {
            try {
                Channel ch = consumeChannel();
                // acks waiting to go (see Unsettled) still hold their messages at the broker
                int want = Math.min(MAX_PREFETCH,
                        handedOut.get() + parked.size() + max + settlements.current().waiting());
                int target = Math.min(MAX_PREFETCH, (want + PREFETCH_STEP - 1) / PREFETCH_STEP * PREFETCH_STEP);
                if (want > prefetch || target * 2 < prefetch) {
                    applyPrefetch(ch, target);
                    prefetch = target;
                }
                for (String q : queues) {
                    if (!consumers.containsKey(q)) {
                        // a missing queue would close the consuming channel, and with it every other consumer
                        admin(a -> a.queueDeclarePassive(q));
                        consumers.put(q, ch.basicConsume(q, false, new QueueConsumer(ch, q)));
                    }
                }
            } catch (IOException | ShutdownSignalException e) {
                throw new TransportException("Cannot consume " + queues + " on " + url + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Sets the consuming channel's prefetch. For classic queues it is global: one limit for the channel's consumers
     * together, which a later basic.qos changes at once. Quorum queues refuse global QoS, and a consumer keeps the
     * per-consumer limit in force when it started: the consumers there are start again under the new one, the old
     * ones cancelled after (what they delivered and is unsettled stays on the channel, to be settled as before).
     */
    private void applyPrefetch(Channel ch, int target) throws IOException {
        if (!url.quorum()) {
            ch.basicQos(target, true);
            return;
        }
        ch.basicQos(target, false);
        for (Map.Entry<String, String> old : Map.copyOf(consumers).entrySet()) {
            String q = old.getKey();
            consumers.put(q, ch.basicConsume(q, false, new QueueConsumer(ch, q)));
            ch.basicCancel(old.getValue());
        }
    }

    /** Fills the buffer; runs on the client's consumer thread. Made on {@link #consumeChannel}, under consumeLock. */
    private final class QueueConsumer extends DefaultConsumer {
        private final String queue;
        private final Settlements settlements;

        QueueConsumer(Channel channel, String queue) {
            super(channel);
            this.queue = queue;
            this.settlements = AmqpTransport.this.settlements;
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
            Unsettled unsettled = settlements.current();
            unsettled.delivered(envelope.getDeliveryTag());
            Tag tag = new Tag(getChannel(), envelope.getDeliveryTag(), unsettled);
            Object unreadable = properties.getHeaders() == null ? null
                    : properties.getHeaders().get(NestingGuard.UNREADABLE);
            buffer.add(unreadable != null ? Delivery.unreadable(queue, body, tag, unreadable.toString())
                    : new Delivery(queue, message(body, properties, envelope), tag, envelope.isRedeliver()));
        }

        @Override
        public void handleCancel(String consumerTag) {
            // the queue was deleted: consume it again once it is asked for (and declared) again
            LOG.warn("The broker cancelled the consumer of {} (queue deleted?)", queue);
            consumers.remove(queue, consumerTag);
        }
    }

    @Override
    public void ack(Delivery delivery) {
        Tag tag = tag(delivery);
        try {
            tag.unsettled().ack(tag.deliveryTag());
        } catch (IOException | AlreadyClosedException e) {
            throw new TransportException("Cannot ack on " + url + " (the broker gives the message out again): "
                    + e.getMessage(), e);
        } finally {
            handedOut.decrementAndGet();
        }
    }

    /**
     * Acks with as few frames as it can: one {@code basic.ack(multiple=true)} for those that are the channel's lowest
     * unsettled tags, and those above a tag still held a few milliseconds later, with it once it is acked or one by
     * one ({@link Unsettled}).
     */
    @Override
    public void ackAll(Collection<Delivery> deliveries) {
        if (deliveries.size() <= 1) {
            for (Delivery d : deliveries) {
                ack(d);
            }
            return;
        }
        Map<Unsettled, List<Tag>> byLife = new LinkedHashMap<>(2);
        for (Delivery d : deliveries) {
            Tag t = tag(d);
            byLife.computeIfAbsent(t.unsettled(), u -> new ArrayList<>(deliveries.size())).add(t);
        }
        TransportException failed = null;
        for (Map.Entry<Unsettled, List<Tag>> life : byLife.entrySet()) {
            List<Tag> tags = life.getValue();
            long[] numbers = new long[tags.size()];
            for (int i = 0; i < numbers.length; i++) {
                numbers[i] = tags.get(i).deliveryTag();
            }
            try {
                life.getKey().ackAll(numbers);
            } catch (IOException | AlreadyClosedException e) {
                failed = new TransportException("Cannot ack on " + url + " (the broker gives the messages out again): "
                        + e.getMessage(), e);
            } finally {
                handedOut.addAndGet(-numbers.length);
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    @Override
    public void reject(Delivery delivery, boolean requeue) {
        Tag tag = tag(delivery);
        try {
            tag.unsettled().reject(tag.deliveryTag(), requeue);
        } catch (IOException | AlreadyClosedException e) {
            throw new TransportException("Cannot reject on " + url + ": " + e.getMessage(), e);
        } finally {
            handedOut.decrementAndGet();
        }
    }

    private static Tag tag(Delivery delivery) {
        if (delivery.tag() instanceof Tag t) {
            return t;
        }
        throw new IllegalArgumentException("Not a delivery of an AMQP transport: " + delivery.tag());
    }

    /**
     * RabbitMQ closes the channel of a consumer that holds a delivery unacked longer than its {@code consumer_timeout}
     * (30 minutes by default): the kernel hands messages waiting for a later ETA back well before.
     */
    @Override
    public Duration maxHold() {
        return url.consumerTimeout();
    }

    @Override
    public void broadcast(String exchange, Message message) {
        declareFanout(exchange);
        AMQP.BasicProperties props = properties(message, TRANSIENT);
        try {
            publisher.publish(exchange, "", false, List.of(props), List.of(message.body()));
        } catch (IOException | TimeoutException | ShutdownSignalException e) {
            throw new TransportException("Broadcasting on " + exchange + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("Interrupted while broadcasting on " + exchange, e);
        }
    }

    /** As kombu's {@code Mailbox} exchange: fanout, not durable, not auto-deleted (so declarations agree). */
    private void declareFanout(String exchange) {
        if (declaredExchanges.contains(exchange)) {
            return;
        }
        admin(ch -> ch.exchangeDeclare(exchange, BuiltinExchangeType.FANOUT, false, false, null));
        declaredExchanges.add(exchange);
    }

    @Override
    public Subscription subscribe(String exchange, Consumer<Message> listener) {
        declareFanout(exchange);
        try {
            Channel ch = connection.createChannel();
            String q = ch.queueDeclare("", false, true, true, null).getQueue();
            ch.queueBind(q, exchange, "");
            ch.basicConsume(q, true, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                           byte[] body) {
                    try {
                        listener.accept(message(body, properties, envelope));
                    } catch (RuntimeException e) {
                        LOG.warn("A listener on {} failed", exchange, e);
                    }
                }
            });
            return () -> {
                try {
                    ch.close();
                } catch (IOException | TimeoutException | ShutdownSignalException e) {
                    LOG.debug("Closing the subscription to {}: {}", exchange, e.toString());
                }
            };
        } catch (IOException | ShutdownSignalException e) {
            throw new TransportException("Cannot subscribe to " + exchange + " on " + url + ": " + e.getMessage(), e);
        }
    }

    /** Transient, not mandatory: with no queue bound under the key the broker drops it, as kombu's replies are. */
    @Override
    public void publishDirect(String exchange, String routingKey, Message message) {
        if (!declaredDirect.contains(exchange)) {
            admin(ch -> declareDirect(ch, exchange));
            declaredDirect.add(exchange);
        }
        AMQP.BasicProperties props = properties(message, TRANSIENT);
        try {
            publisher.publish(exchange, routingKey, false, List.of(props), List.of(message.body()));
        } catch (IOException | TimeoutException | ShutdownSignalException e) {
            throw new TransportException("Publishing on " + exchange + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException("Interrupted while publishing on " + exchange, e);
        }
    }

    /** As kombu's {@code Mailbox} reply exchange: direct, not durable, not auto-deleted (so declarations agree). */
    private static AMQP.Exchange.DeclareOk declareDirect(Channel ch, String exchange) throws IOException {
        return ch.exchangeDeclare(exchange, BuiltinExchangeType.DIRECT, false, false, null);
    }

    /**
     * The queue as Celery's remote-control caller declares its reply queue: not durable, not exclusive, auto-deleted,
     * {@link #REPLY_QUEUE_ARGUMENTS}; bound under the key and consumed with auto-ack on a channel of its own, which
     * the client's topology recovery declares, binds and consumes again after the connection comes back.
     */
    @Override
    public Subscription subscribeDirect(String exchange, String routingKey, String queue, Consumer<Message> listener) {
        Channel ch = null;
        try {
            ch = connection.createChannel();
            declareDirect(ch, exchange);
            ch.queueDeclare(queue, false, false, true, REPLY_QUEUE_ARGUMENTS);
            ch.queueBind(queue, exchange, routingKey);
            String consumerTag = ch.basicConsume(queue, true, new DefaultConsumer(ch) {
                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                                           byte[] body) {
                    try {
                        listener.accept(message(body, properties, envelope));
                    } catch (RuntimeException e) {
                        LOG.warn("A listener on {} failed", queue, e);
                    }
                }
            });
            Channel subscribed = ch;
            return () -> {
                try {
                    subscribed.basicCancel(consumerTag);
                    subscribed.queueDelete(queue); // gone already when auto-delete came first: a no-op
                } catch (IOException | ShutdownSignalException e) {
                    LOG.debug("Deleting {} on {}: {}", queue, url, e.toString());
                } finally {
                    try {
                        subscribed.close();
                    } catch (IOException | TimeoutException | ShutdownSignalException e) {
                        LOG.debug("Closing the channel of {} on {}: {}", queue, url, e.toString());
                    }
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
            throw new TransportException("Cannot subscribe to " + exchange + " (" + routingKey + ") as " + queue
                    + " on " + url + ": " + reason(e), e);
        }
    }

    @Override
    public void publishTopic(String exchange, String routingKey, Message message) {
        topics.publish(exchange, routingKey, message);
    }

    @Override
    public Subscription subscribeTopic(String exchange, String pattern, Consumer<Message> listener) {
        return topics.subscribe(exchange, pattern, listener);
    }

    @Override
    public long purge(String queue) {
        try {
            return admin(ch -> (long) ch.queuePurge(queue).getMessageCount());
        } catch (TransportException e) {
            if (notFound(e)) {
                return 0;
            }
            throw e;
        }
    }

    @Override
    public long size(String queue) {
        try {
            return admin(ch -> (long) ch.queueDeclarePassive(queue).getMessageCount());
        } catch (TransportException e) {
            if (notFound(e)) {
                return 0;
            }
            throw e;
        }
    }

    static boolean notFound(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ShutdownSignalException s && s.getReason() instanceof AMQP.Channel.Close c
                    && c.getReplyCode() == AMQP.NOT_FOUND) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        Settlements s = settlements;
        if (s != null) {
            flush(s.current()); // acks given are written before the connection goes
        }
        synchronized (this) {
            if (ackTimer != null) {
                ackTimer.shutdownNow();
            }
        }
        try {
            // unacked deliveries go back to their queues when the connection closes. Called even when it is
            // down: that also stops its automatic recovery.
            connection.close(5_000);
        } catch (ShutdownSignalException e) {
            LOG.debug("Closing {}: {}", url, e.toString()); // already closed, or lost
        } catch (IOException e) {
            LOG.debug("Closing {}: {}; aborting", url, e.toString());
            connection.abort(1_000);
        } finally {
            drain();
        }
    }

    /**
     * A queue's arguments as kombu's {@code queue_arguments} would send them: {@code x-max-priority} (option
     * {@code queue_max_priority}), {@code x-queue-type: quorum} (option {@code queue_type}); none by default.
     */
    static Map<String, Object> queueArguments(AmqpUrl url) {
        Map<String, Object> arguments = new LinkedHashMap<>();
        if (url.maxPriority() > 0) {
            arguments.put("x-max-priority", url.maxPriority());
        }
        if (url.quorum()) {
            arguments.put("x-queue-type", "quorum");
        }
        return arguments.isEmpty() ? null : arguments;
    }

    /** Takes every buffered and parked delivery out. */
    private List<Delivery> drain() {
        List<Delivery> all = new ArrayList<>();
        buffer.drainTo(all);
        Delivery d;
        while ((d = parked.pollFirst()) != null) {
            all.add(d);
        }
        return all;
    }

    private interface ChannelCall<T> {
        T call(Channel channel) throws IOException;
    }

    /** Runs declarations and queries on a channel of their own: an error from the broker closes that channel only. */
    private <T> T admin(ChannelCall<T> call) {
        synchronized (adminLock) {
            try {
                if (adminChannel == null || !adminChannel.isOpen()) {
                    adminChannel = connection.createChannel();
                }
                return call.call(adminChannel);
            } catch (IOException | ShutdownSignalException e) {
                throw new TransportException("AMQP operation on " + url + " failed: " + reason(e), e);
            }
        }
    }

    private Channel consumeChannel() throws IOException {
        if (consumeChannel == null || !consumeChannel.isOpen()) {
            if (consumeChannel != null) {
                // its consumers and unacked deliveries went with it
                consumers.clear();
                prefetch = 0;
            }
            Channel ch = connection.createChannel();
            Settlements s = new Settlements(ch);
            ch.addShutdownListener(s);
            settlements = s;
            consumeChannel = ch;
        }
        return consumeChannel;
    }

    private static String reason(Exception e) {
        Throwable t = e;
        while (t.getCause() != null && t.getMessage() == null) {
            t = t.getCause();
        }
        if (e.getCause() instanceof ShutdownSignalException s) {
            return s.getMessage();
        }
        return String.valueOf(t.getMessage());
    }

    @Override
    public String toString() {
        return "AmqpTransport[" + url + "]";
    }
}
