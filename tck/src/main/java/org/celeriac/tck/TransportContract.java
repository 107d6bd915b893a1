package org.celeriac.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The contract every {@link Transport} keeps. A transport plugin subclasses this in its tests and says how
 * to reach a real broker; every test uses queues of its own, so a shared broker is fine.
 */
@Timeout(120)
public abstract class TransportContract {

    private final List<Transport> opened = new ArrayList<>();
    protected Transport transport;
    protected String queue;

    /** Opens a new connection to the broker under test; each call is a separate consumer. */
    protected abstract Transport openTransport();

    /** Whether higher {@code priority} values are received first (AMQP's sense); false when lower are. */
    protected boolean higherPriorityFirst() {
        return true;
    }

    protected boolean supportsPriority() {
        return true;
    }

    /**
     * Whether the transport has topic exchanges ({@link Transport#publishTopic}); the topic tests are skipped when
     * not, as they are when it throws {@link UnsupportedOperationException}.
     */
    protected boolean supportsTopics() {
        return true;
    }

    /**
     * Whether a queue gives messages out in the order they were published; the order test is skipped when not, as
     * SQS's standard queues order on a best-effort basis only.
     */
    protected boolean keepsOrder() {
        return true;
    }

    /**
     * Whether the transport has fanout and direct exchanges ({@link Transport#broadcast}, {@link Transport#subscribe},
     * {@link Transport#publishDirect}, {@link Transport#subscribeDirect}), which remote control needs; the broadcast
     * and direct tests are skipped when not, as SQS has none.
     */
    protected boolean supportsBroadcast() {
        return true;
    }

    /**
     * How long after a consumer's crash its unsettled messages may take to come back. The renew test holds a
     * message for twice this while renewing every quarter of it, so a lease must outlast a quarter.
     */
    protected Duration redeliveryWait() {
        return Duration.ofSeconds(10);
    }

    /**
     * Makes a transport die the way a killed process would: no close, no settling. By default it is just
     * abandoned, which suits brokers that lease messages with a visibility timeout.
     */
    protected void crash(Transport t) {
        opened.remove(t);
    }

    protected final Transport open() {
        Transport t = openTransport();
        opened.add(t);
        return t;
    }

    @BeforeEach
    void openDefault() {
        transport = open();
        queue = newQueue();
    }

    @AfterEach
    void closeAll() {
        for (Transport t : opened) {
            try {
                t.close();
            } catch (RuntimeException e) {
                // closing is best effort after a test
            }
        }
        opened.clear();
    }

    protected String newQueue() {
        String q = "tck-" + UUID.randomUUID();
        transport.declare(q);
        return q;
    }

    protected static Message message(String body) {
        return message(body, 0);
    }

    protected static Message message(String body, int priority) {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("id", UUID.randomUUID().toString());
        headers.put("task", "tck.noop");
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("priority", priority);
        return new Message(body.getBytes(StandardCharsets.UTF_8), "application/json", "utf-8", headers, properties);
    }

    protected static String body(Delivery d) {
        return new String(d.message().body(), StandardCharsets.UTF_8);
    }

    protected List<Delivery> receive(Transport t, String q, int max) throws InterruptedException {
        return t.receive(List.of(q), max, Duration.ofSeconds(5));
    }

    /** Receives until {@code count} deliveries arrived or the time is up. */
    protected List<Delivery> receiveAll(Transport t, List<String> queues, int count, Duration within)
            throws InterruptedException {
        List<Delivery> all = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (all.size() < count && System.nanoTime() < deadline) {
            all.addAll(t.receive(queues, count - all.size(), Duration.ofMillis(500)));
        }
        return all;
    }

    @Test
    void deliversBodyHeadersAndPropertiesUnchanged() throws Exception {
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("lang", "py");
        headers.put("task", "demo.echo");
        headers.put("id", "6a1b2c3d-0000-4000-8000-000000000001");
        headers.put("retries", 2);
        headers.put("timelimit", java.util.Arrays.asList(30, null));
        headers.put("eta", null);
        headers.put("nested", Map.of("k", List.of(1, "\u00fc", true)));
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("correlation_id", "6a1b2c3d-0000-4000-8000-000000000001");
        properties.put("reply_to", "reply-queue");
        properties.put("priority", 0);
        byte[] body = "[[\"\u00fc\", {\"k\": [1, null]}], {\"x\": true}, {}]".getBytes(StandardCharsets.UTF_8);

        transport.publish(queue, new Message(body, "application/json", "utf-8", headers, properties));
        List<Delivery> got = receive(transport, queue, 10);

        assertThat(got).hasSize(1);
        Message m = got.get(0).message();
        assertThat(m.body()).isEqualTo(body);
        assertThat(m.contentType()).isEqualTo("application/json");
        assertThat(m.contentEncoding()).isEqualTo("utf-8");
        assertThat(m.headers()).containsAllEntriesOf(headers);
        assertThat(m.properties()).containsEntry("correlation_id", "6a1b2c3d-0000-4000-8000-000000000001")
                .containsEntry("reply_to", "reply-queue");
        assertThat(got.get(0).queue()).isEqualTo(queue);
        assertThat(got.get(0).redelivered()).isFalse();
    }

    @Test
    void ackedMessageIsGoneForGood() throws Exception {
        transport.publish(queue, message("one"));
        Delivery d = receive(transport, queue, 1).get(0);
        transport.ack(d);

        assertThat(transport.receive(List.of(queue), 1, Duration.ofMillis(300))).isEmpty();
        assertThat(transport.size(queue)).isZero();
    }

    @Test
    void ackAllSettlesEveryDeliveryGiven() throws Exception {
        for (int i = 0; i < 5; i++) {
            transport.publish(queue, message("m" + i));
        }
        List<Delivery> got = receiveAll(transport, List.of(queue), 5, Duration.ofSeconds(10));
        transport.ackAll(got.subList(0, 4));
        transport.close(); // returns what is unsettled: only the fifth

        Transport other = open();
        List<Delivery> back = receiveAll(other, List.of(queue), 1, Duration.ofSeconds(10));
        assertThat(back).extracting(TransportContract::body).containsExactly(body(got.get(4)));
        assertThat(other.receive(List.of(queue), 1, Duration.ofMillis(300))).isEmpty();
    }

    @Test
    void rejectWithRequeuePutsMessageBackMarkedRedelivered() throws Exception {
        transport.publish(queue, message("again"));
        transport.reject(receive(transport, queue, 1).get(0), true);

        List<Delivery> again = receive(transport, queue, 1);
        assertThat(again).hasSize(1);
        assertThat(body(again.get(0))).isEqualTo("again");
        assertThat(again.get(0).redelivered()).isTrue();
    }

    @Test
    void rejectWithoutRequeueDropsMessage() throws Exception {
        transport.publish(queue, message("drop"));
        transport.reject(receive(transport, queue, 1).get(0), false);

        assertThat(transport.receive(List.of(queue), 1, Duration.ofMillis(300))).isEmpty();
    }

    @Test
    void receiveWaitsForMessagePublishedLater() throws Exception {
        Transport publisher = open();
        Thread later = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            publisher.publish(queue, message("late"));
        });
        later.start();

        List<Delivery> got = transport.receive(List.of(queue), 1, Duration.ofSeconds(10));
        later.join();

        assertThat(got).extracting(TransportContract::body).containsExactly("late");
    }

    @Test
    void receiveReturnsEmptyWhenNothingArrives() throws Exception {
        assertThat(transport.receive(List.of(queue), 5, Duration.ofMillis(200))).isEmpty();
    }

    @Test
    void receiveTakesAtMostMax() throws Exception {
        for (int i = 0; i < 5; i++) {
            transport.publish(queue, message("m" + i));
        }
        List<Delivery> first = transport.receive(List.of(queue), 2, Duration.ofSeconds(5));
        assertThat(first).hasSizeBetween(1, 2);
        List<Delivery> rest = receiveAll(transport, List.of(queue), 5 - first.size(), Duration.ofSeconds(10));
        assertThat(rest).hasSize(5 - first.size());
    }

    @Test
    void keepsOrderWithinQueue() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(keepsOrder(), "transport does not keep order");
        List<Message> batch = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            batch.add(message("m" + i));
        }
        transport.publishAll(queue, batch.subList(0, 10));
        for (Message m : batch.subList(10, 20)) {
            transport.publish(queue, m);
        }

        List<Delivery> got = receiveAll(transport, List.of(queue), 20, Duration.ofSeconds(10));

        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add("m" + i);
        }
        assertThat(got).extracting(TransportContract::body).containsExactlyElementsOf(expected);
    }

    @Test
    void receivesFromSeveralQueues() throws Exception {
        String other = newQueue();
        transport.publish(queue, message("a"));
        transport.publish(other, message("b"));

        List<Delivery> got = receiveAll(transport, List.of(queue, other), 2, Duration.ofSeconds(10));

        assertThat(got).extracting(Delivery::queue).containsExactlyInAnyOrder(queue, other);
    }

    @Test
    void servesHigherPriorityFirst() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(supportsPriority(), "transport has no priorities");
        int low = higherPriorityFirst() ? 0 : 9;
        int high = higherPriorityFirst() ? 9 : 0;
        transport.publish(queue, message("low", low));
        transport.publish(queue, message("high", high));

        List<Delivery> got = receiveAll(transport, List.of(queue), 2, Duration.ofSeconds(10));

        assertThat(got).extracting(TransportContract::body).containsExactly("high", "low");
    }

    @Test
    void purgeRemovesWaitingMessagesAndCountsThem() throws Exception {
        for (int i = 0; i < 3; i++) {
            transport.publish(queue, message("p" + i));
        }
        assertThat(transport.size(queue)).isEqualTo(3);

        assertThat(transport.purge(queue)).isEqualTo(3);

        assertThat(transport.size(queue)).isZero();
        assertThat(transport.receive(List.of(queue), 1, Duration.ofMillis(200))).isEmpty();
    }

    @Test
    void closeReturnsUnsettledDeliveries() throws Exception {
        Transport consumer = open();
        transport.publish(queue, message("held"));
        assertThat(receive(consumer, queue, 1)).hasSize(1);

        consumer.close();

        List<Delivery> again = receive(transport, queue, 1);
        assertThat(again).extracting(TransportContract::body).containsExactly("held");
        assertThat(again.get(0).redelivered()).isTrue();
    }

    @Test
    void redeliversUnackedMessageAfterConsumerCrash() throws Exception {
        Transport consumer = open();
        transport.publish(queue, message("orphan"));
        assertThat(receive(consumer, queue, 1)).hasSize(1);

        crash(consumer);

        List<Delivery> again = receiveAll(transport, List.of(queue), 1, redeliveryWait().plusSeconds(5));
        assertThat(again).extracting(TransportContract::body).containsExactly("orphan");
    }

    @Test
    void renewKeepsHeldMessageFromOtherConsumers() throws Exception {
        transport.publish(queue, message("kept"));
        Delivery held = receive(transport, queue, 1).get(0);
        Transport other = open();

        long until = System.nanoTime() + redeliveryWait().multipliedBy(2).toNanos();
        List<Delivery> stolen = new ArrayList<>();
        while (System.nanoTime() < until) {
            transport.renew(List.of(held));
            stolen.addAll(other.receive(List.of(queue), 1, redeliveryWait().dividedBy(4)));
        }

        assertThat(stolen).isEmpty();
        transport.ack(held);
    }

    @Test
    void twoConsumersNeverReceiveTheSameMessage() throws Exception {
        int count = 200;
        List<Message> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(message("n" + i));
        }
        transport.publishAll(queue, batch);

        List<String> seen = new CopyOnWriteArrayList<>();
        AtomicInteger settled = new AtomicInteger();
        List<Transport> consumers = List.of(open(), open());
        ExecutorService threads = Executors.newFixedThreadPool(4);
        CountDownLatch done = new CountDownLatch(4);
        for (int i = 0; i < 4; i++) {
            Transport t = consumers.get(i % 2);
            threads.execute(() -> {
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (settled.get() < count && System.nanoTime() < deadline) {
                        for (Delivery d : t.receive(List.of(queue), 7, Duration.ofMillis(200))) {
                            seen.add(body(d));
                            t.ack(d);
                            settled.incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
        }
        done.await(60, TimeUnit.SECONDS);
        threads.shutdownNow();

        Set<String> distinct = new HashSet<>(seen);
        assertThat(seen).hasSize(count);
        assertThat(distinct).hasSize(count);
    }

    @Test
    void broadcastReachesEverySubscriberUntilClosed() throws Exception {
        assumeBroadcast();
        String exchange = "tck-bcast-" + UUID.randomUUID();
        Transport second = open();
        List<String> first = Collections.synchronizedList(new ArrayList<>());
        List<String> other = Collections.synchronizedList(new ArrayList<>());
        Subscription a = transport.subscribe(exchange, m -> first.add(new String(m.body(), StandardCharsets.UTF_8)));
        Subscription b = second.subscribe(exchange, m -> other.add(new String(m.body(), StandardCharsets.UTF_8)));

        transport.broadcast(exchange, message("hello"));
        awaitSize(first, 1);
        awaitSize(other, 1);
        a.close();
        second.broadcast(exchange, message("again"));
        awaitSize(other, 2);
        Thread.sleep(300);

        assertThat(first).containsExactly("hello");
        assertThat(other).containsExactly("hello", "again");
        b.close();
    }

    @Test
    void topicSubscribersReceiveWhatMatchesTheirPattern() throws Exception {
        String exchange = "tck-topic-" + UUID.randomUUID();
        Transport second = open();
        List<String> oneWord = Collections.synchronizedList(new ArrayList<>());
        List<String> anyWords = Collections.synchronizedList(new ArrayList<>());
        List<String> everything = Collections.synchronizedList(new ArrayList<>());
        subscribeTopic(transport, exchange, "task.*", m -> oneWord.add(new String(m.body(), StandardCharsets.UTF_8)));
        subscribeTopic(transport, exchange, "task.#", m -> anyWords.add(new String(m.body(), StandardCharsets.UTF_8)));
        subscribeTopic(second, exchange, "#", m -> everything.add(new String(m.body(), StandardCharsets.UTF_8)));

        for (String key : List.of("task.succeeded", "worker.heartbeat", "task.multi.part", "task", "tasks.x",
                "task.failed")) {
            transport.publishTopic(exchange, key, message(key));
        }
        // published last by the same connection: once it is in, whatever else was to come is in
        transport.publishTopic(exchange, "task.end", message("task.end"));
        awaitContains(oneWord, "task.end");
        awaitContains(anyWords, "task.end");
        awaitContains(everything, "task.end");

        assertThat(oneWord).containsExactly("task.succeeded", "task.failed", "task.end");
        assertThat(anyWords).containsExactly("task.succeeded", "task.multi.part", "task", "task.failed", "task.end");
        assertThat(everything).containsExactly("task.succeeded", "worker.heartbeat", "task.multi.part", "task",
                "tasks.x", "task.failed", "task.end");
    }

    @Test
    void topicMessageArrivesWithBodyHeadersAndRoutingKey() throws Exception {
        String exchange = "tck-topic-" + UUID.randomUUID();
        List<Message> got = Collections.synchronizedList(new ArrayList<>());
        subscribeTopic(open(), exchange, "worker.*", got::add);
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("hostname", "w1@host");
        byte[] body = "{\"type\": \"worker-online\", \"hostname\": \"w1@host\", \"clock\": 1}"
                .getBytes(StandardCharsets.UTF_8);

        transport.publishTopic(exchange, "worker.online", new Message(body, "application/json", "utf-8", headers,
                Map.of("delivery_mode", 1)));
        awaitSize(got, 1);

        Message m = got.get(0);
        assertThat(m.body()).isEqualTo(body);
        assertThat(m.contentType()).isEqualTo("application/json");
        assertThat(m.headers()).containsEntry("hostname", "w1@host");
        assertThat(m.properties().get("delivery_info")).isInstanceOfSatisfying(Map.class, info -> assertThat(info)
                .containsEntry("exchange", exchange).containsEntry("routing_key", "worker.online"));
    }

    @Test
    void closedTopicSubscriptionReceivesNoMore() throws Exception {
        String exchange = "tck-topic-" + UUID.randomUUID();
        List<String> closed = Collections.synchronizedList(new ArrayList<>());
        List<String> open = Collections.synchronizedList(new ArrayList<>());
        Subscription a = subscribeTopic(transport, exchange, "#", m -> closed.add(new String(m.body(),
                StandardCharsets.UTF_8)));
        Subscription b = subscribeTopic(transport, exchange, "#", m -> open.add(new String(m.body(),
                StandardCharsets.UTF_8)));
        transport.publishTopic(exchange, "task.sent", message("first"));
        awaitContains(closed, "first");

        a.close();
        transport.publishTopic(exchange, "task.sent", message("second"));
        awaitContains(open, "second");

        assertThat(closed).containsExactly("first");
        b.close();
    }

    @Test
    void topicPublishWithoutSubscribersIsDropped() throws Exception {
        String exchange = "tck-topic-" + UUID.randomUUID();
        publishTopic(transport, exchange, "task.sent", message("nobody"));
        List<String> later = Collections.synchronizedList(new ArrayList<>());
        subscribeTopic(transport, exchange, "#", m -> later.add(new String(m.body(), StandardCharsets.UTF_8)));

        transport.publishTopic(exchange, "task.sent", message("heard"));
        awaitContains(later, "heard");

        assertThat(later).containsExactly("heard");
    }

    @Test
    void directMessageArrivesWithBodyContentTypeAndHeaders() throws Exception {
        assumeBroadcast();
        String exchange = "tck-direct-" + UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        List<Message> got = Collections.synchronizedList(new ArrayList<>());
        transport.subscribeDirect(exchange, key, key + "." + exchange, got::add);
        Map<String, Object> headers = new LinkedHashMap<>();
        headers.put("ticket", UUID.randomUUID().toString());
        headers.put("clock", 7);
        headers.put("nested", Map.of("k", List.of(1, "\u00fc")));
        byte[] body = "{\"w1@host\": {\"ok\": \"pong\"}}".getBytes(StandardCharsets.UTF_8);

        // from another connection, as a worker replies to a caller
        open().publishDirect(exchange, key, new Message(body, "application/json", "utf-8", headers,
                Map.of("delivery_mode", 1)));
        awaitSize(got, 1);

        Message m = got.get(0);
        assertThat(m.body()).isEqualTo(body);
        assertThat(m.contentType()).isEqualTo("application/json");
        assertThat(m.contentEncoding()).isEqualTo("utf-8");
        assertThat(m.headers()).containsAllEntriesOf(headers);
    }

    @Test
    void directSubscriberUnderAnotherRoutingKeyReceivesNothing() throws Exception {
        assumeBroadcast();
        String exchange = "tck-direct-" + UUID.randomUUID();
        List<String> mine = Collections.synchronizedList(new ArrayList<>());
        List<String> others = Collections.synchronizedList(new ArrayList<>());
        transport.subscribeDirect(exchange, "mine", "mine." + exchange, m -> mine.add(new String(m.body(),
                StandardCharsets.UTF_8)));
        open().subscribeDirect(exchange, "other", "other." + exchange, m -> others.add(new String(m.body(),
                StandardCharsets.UTF_8)));

        transport.publishDirect(exchange, "other", message("for other"));
        transport.publishDirect(exchange, "mine.x", message("for nobody"));
        // published last by the same connection: once it is in, whatever else was to come is in
        transport.publishDirect(exchange, "mine", message("for me"));
        awaitContains(mine, "for me");
        awaitContains(others, "for other");

        assertThat(mine).containsExactly("for me");
        assertThat(others).containsExactly("for other");
    }

    @Test
    void directPublishWithNoQueueBoundIsDropped() throws Exception {
        assumeBroadcast();
        String exchange = "tck-direct-" + UUID.randomUUID();
        transport.publishDirect(exchange, "key", message("nobody"));
        List<String> later = Collections.synchronizedList(new ArrayList<>());
        transport.subscribeDirect(exchange, "key", "key." + exchange, m -> later.add(new String(m.body(),
                StandardCharsets.UTF_8)));

        transport.publishDirect(exchange, "key", message("heard"));
        awaitContains(later, "heard");

        assertThat(later).containsExactly("heard");
    }

    @Test
    void closedDirectSubscriptionReceivesNoMore() throws Exception {
        assumeBroadcast();
        String exchange = "tck-direct-" + UUID.randomUUID();
        List<String> closed = Collections.synchronizedList(new ArrayList<>());
        List<String> open = Collections.synchronizedList(new ArrayList<>());
        // two queues under one key: each gets its own copy
        Subscription a = transport.subscribeDirect(exchange, "key", "a." + exchange, m -> closed.add(new String(
                m.body(), StandardCharsets.UTF_8)));
        Subscription b = transport.subscribeDirect(exchange, "key", "b." + exchange, m -> open.add(new String(
                m.body(), StandardCharsets.UTF_8)));
        transport.publishDirect(exchange, "key", message("first"));
        awaitContains(closed, "first");
        awaitContains(open, "first");

        a.close();
        transport.publishDirect(exchange, "key", message("second"));
        awaitContains(open, "second");
        Thread.sleep(300);

        assertThat(closed).containsExactly("first");
        assertThat(open).containsExactly("first", "second");
        b.close();
    }

    private void assumeBroadcast() {
        org.junit.jupiter.api.Assumptions.assumeTrue(supportsBroadcast(), "transport has no fanout or direct exchanges");
    }

    /** Subscribes, or skips the test when the transport has no topic exchanges. */
    protected Subscription subscribeTopic(Transport t, String exchange, String pattern,
                                          java.util.function.Consumer<Message> listener) {
        org.junit.jupiter.api.Assumptions.assumeTrue(supportsTopics(), "transport has no topic exchanges");
        try {
            return t.subscribeTopic(exchange, pattern, listener);
        } catch (UnsupportedOperationException e) {
            org.junit.jupiter.api.Assumptions.abort("transport has no topic exchanges: " + e.getMessage());
            throw e;
        }
    }

    /** Publishes, or skips the test when the transport has no topic exchanges. */
    protected void publishTopic(Transport t, String exchange, String routingKey, Message message) {
        org.junit.jupiter.api.Assumptions.assumeTrue(supportsTopics(), "transport has no topic exchanges");
        try {
            t.publishTopic(exchange, routingKey, message);
        } catch (UnsupportedOperationException e) {
            org.junit.jupiter.api.Assumptions.abort("transport has no topic exchanges: " + e.getMessage());
        }
    }

    private static void awaitContains(List<String> list, String element) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!list.contains(element) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(list).contains(element);
    }

    private static void awaitSize(List<?> list, int size) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (list.size() < size && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(list).hasSizeGreaterThanOrEqualTo(size);
    }
}
