package org.celeriac.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.celeriac.transport.amqp.AmqpTestBroker.withRawChannel;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What this transport does beyond the contract, on a real RabbitMQ (CELERIAC_TEST_AMQP_URL). */
@Timeout(60)
class AmqpTransportBehaviourTest {

    private static String url;
    private final List<Transport> opened = new ArrayList<>();
    private Transport transport;
    private String queue;

    @BeforeAll
    static void requireBroker() {
        url = AmqpTestBroker.url();
    }

    @BeforeEach
    void open() {
        transport = open(Map.of());
        queue = "amqp-test-" + UUID.randomUUID();
    }

    private Transport open(Map<String, String> options) {
        Transport t = new AmqpTransportFactory().open(url, options);
        opened.add(t);
        return t;
    }

    @AfterEach
    void close() throws Exception {
        opened.forEach(Transport::close);
        withRawChannel(ch -> ch.queueDelete(queue));
    }

    private static Message message(String body) {
        return new Message(body.getBytes(StandardCharsets.UTF_8), "application/json", "utf-8",
                Map.of("id", UUID.randomUUID().toString(), "task", "t"), Map.of());
    }

    @Test
    void heldMessagesNeverStopTheFlowAsEtaTasksWouldWithAFixedPrefetch() throws Exception {
        int count = 300;
        List<Message> batch = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            batch.add(message("m" + i));
        }
        transport.declare(queue);
        transport.publishAll(queue, batch);

        List<Delivery> held = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (held.size() < count && System.nanoTime() < deadline) {
            held.addAll(transport.receive(List.of(queue), 1, Duration.ofSeconds(1)));
        }

        assertThat(held).hasSize(count);
        transport.ackAll(held);
        assertThat(transport.receive(List.of(queue), 1, Duration.ofMillis(300))).isEmpty();
    }

    @Test
    void deliveriesOfAQueueNotAskedForWaitForTheNextReceiveOfIt() throws Exception {
        String other = queue + "-other";
        try {
            transport.declare(queue);
            transport.declare(other);
            transport.publish(queue, message("a"));
            transport.publish(other, message("b"));
            assertThat(receiveAll(List.of(queue, other), 2)).hasSize(2).allSatisfy(transport::ack);

            transport.publish(other, message("c"));
            transport.publish(queue, message("d"));
            List<Delivery> fromQueue = receiveAll(List.of(queue), 1);
            List<Delivery> fromOther = receiveAll(List.of(other), 1);

            assertThat(fromQueue).extracting(d -> new String(d.message().body(), StandardCharsets.UTF_8))
                    .containsExactly("d");
            assertThat(fromOther).extracting(d -> new String(d.message().body(), StandardCharsets.UTF_8))
                    .containsExactly("c");
        } finally {
            withRawChannel(ch -> ch.queueDelete(other));
        }
    }

    @Test
    void receivingFromAMissingQueueFailsWithoutDisturbingOtherConsumers() throws Exception {
        transport.declare(queue);
        transport.publish(queue, message("held"));
        Delivery held = receiveAll(List.of(queue), 1).get(0);

        assertThatThrownBy(() -> transport.receive(List.of(queue, "amqp-missing-" + UUID.randomUUID()), 1,
                Duration.ofMillis(100))).isInstanceOf(TransportException.class);

        transport.ack(held); // still on its channel
        transport.publish(queue, message("next"));
        assertThat(receiveAll(List.of(queue), 1)).hasSize(1);
        assertThat(transport.size(queue)).isZero();
    }

    @Test
    void publishDeclaresTheQueueSoTheFirstMessageIsNotDropped() throws Exception {
        transport.publish(queue, message("first"));

        assertThat(transport.size(queue)).isEqualTo(1);
    }

    @Test
    void publishToAQueueDeletedBehindItsBackDeclaresItAgain() throws Exception {
        transport.publish(queue, message("one"));
        withRawChannel(ch -> ch.queueDelete(queue));

        transport.publish(queue, message("two"));

        List<Delivery> got = receiveAll(List.of(queue), 1);
        assertThat(got).extracting(d -> new String(d.message().body(), StandardCharsets.UTF_8)).containsExactly("two");
    }

    @Test
    void threadsPublishingAtOnceHaveEachMessageDeliveredExactlyOnceAndInTheirOrder() throws Exception {
        int threads = 8;
        int each = 120;
        transport.declare(queue);
        List<String> sent = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                running.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        if (i % 20 == 19) {
                            // publishAll interleaved with single publishes on the shared channel
                            List<Message> batch = new ArrayList<>();
                            for (int k = 0; k < 5; k++) {
                                batch.add(message(thread + ":" + i + "." + k));
                            }
                            transport.publishAll(queue, batch);
                            batch.forEach(m -> sent.add(new String(m.body(), StandardCharsets.UTF_8)));
                        } else {
                            transport.publish(queue, message(thread + ":" + i));
                            sent.add(thread + ":" + i);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        // a publish returns once confirmed: all are on the queue by now, and none waits for a confirm any more
        assertThat(transport.size(queue)).isEqualTo(sent.size());
        assertThat(((AmqpTransport) transport).publishesInFlight()).isZero();
        List<Delivery> got = receiveAll(List.of(queue), sent.size());
        transport.ackAll(got);
        List<String> bodies = got.stream().map(d -> new String(d.message().body(), StandardCharsets.UTF_8)).toList();
        assertThat(bodies).containsExactlyInAnyOrderElementsOf(sent);
        for (int t = 0; t < threads; t++) {
            String prefix = t + ":";
            List<String> ofThread = bodies.stream().filter(b -> b.startsWith(prefix)).toList();
            List<String> sentByThread = sent.stream().filter(b -> b.startsWith(prefix)).toList();
            assertThat(ofThread).as("thread %d's messages in the order it sent them", t).isEqualTo(sentByThread);
        }
    }

    @Test
    void threadsPublishingToAQueueDeletedBehindTheirBackAllArriveOnce() throws Exception {
        transport.publish(queue, message("before"));
        withRawChannel(ch -> ch.queueDelete(queue));

        int threads = 6;
        List<String> sent = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                running.add(pool.submit(() -> {
                    for (int i = 0; i < 10; i++) {
                        // the same body from every thread too: a basic.return is matched to a message by content
                        String body = i % 2 == 0 ? "same" : thread + ":" + i;
                        transport.publish(queue, message(body));
                        sent.add(body);
                    }
                    List<Message> batch = List.of(message("same"), message("same"), message(thread + ":batch"));
                    transport.publishAll(queue, batch);
                    batch.forEach(m -> sent.add(new String(m.body(), StandardCharsets.UTF_8)));
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        List<Delivery> got = receiveAll(List.of(queue), sent.size());
        assertThat(got).extracting(d -> new String(d.message().body(), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrderElementsOf(sent);
        transport.ackAll(got);
        assertThat(transport.receive(List.of(queue), 1, Duration.ofMillis(300))).isEmpty();
        assertThat(((AmqpTransport) transport).publishesInFlight()).isZero();
    }

    @Test
    void aMessageTheBrokerRefusesFailsItsPublishAndNoOther() throws Exception {
        // a second queue on the queue's exchange, full and refusing more: the broker nacks what is routed there
        String full = queue + "-full";
        try {
            withRawChannel(ch -> {
                ch.exchangeDeclare(queue, "direct", true, false, null);
                ch.queueDeclare(full, false, false, false, Map.of("x-max-length", 1, "x-overflow", "reject-publish"));
                ch.queueBind(full, queue, queue);
                ch.basicPublish(queue, queue, null, "fills it".getBytes(StandardCharsets.UTF_8));
            });
            String other = queue + "-other";
            try {
                transport.publish(other, message("before"));

                assertThatThrownBy(() -> transport.publish(queue, message("refused")))
                        .isInstanceOf(TransportException.class).hasMessageContaining("nack");

                transport.publish(other, message("after"));
                assertThat(transport.size(other)).isEqualTo(2);
                assertThat(((AmqpTransport) transport).publishesInFlight()).isZero();
            } finally {
                withRawChannel(ch -> ch.queueDelete(other));
            }
        } finally {
            withRawChannel(ch -> ch.queueDelete(full));
        }
    }

    @Test
    void ackAllSettlesExactlyTheDeliveriesGivenWhateverHeldBelowOrBetween() throws Exception {
        List<Message> batch = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            batch.add(message("m" + i));
        }
        transport.publishAll(queue, batch);
        List<Delivery> got = receiveAll(List.of(queue), 12);
        assertThat(got).extracting(d -> new String(d.message().body(), StandardCharsets.UTF_8))
                .containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10", "m11");

        transport.ackAll(List.of(got.get(2), got.get(0), got.get(3), got.get(1))); // the lowest: one multiple ack
        transport.ackAll(got.subList(8, 12));            // above held ones: a multiple ack would settle those too
        transport.ackAll(List.of(got.get(4), got.get(6))); // with a held one between
        transport.ack(got.get(5));
        // m7 is still held; closing gives it back, and nothing else
        transport.close();

        Transport again = open(Map.of());
        List<Delivery> back = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (back.isEmpty() && System.nanoTime() < deadline) {
            back.addAll(again.receive(List.of(queue), 10, Duration.ofMillis(500)));
        }
        back.addAll(again.receive(List.of(queue), 10, Duration.ofMillis(500)));
        assertThat(back).extracting(d -> new String(d.message().body(), StandardCharsets.UTF_8))
                .containsExactly("m7");
        assertThat(back.get(0).redelivered()).isTrue();
        again.ackAll(back);
    }

    @Test
    void acksWaitingForALowerTagStillHeldReachTheBrokerWithinTheHold() throws Exception {
        transport.publishAll(queue, List.of(message("held"), message("a"), message("b")));
        List<Delivery> got = receiveAll(List.of(queue), 3);

        transport.ackAll(got.subList(1, 3)); // wait for "held" a while, then go one by one
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(AmqpTransport.ACK_HOLD_NANOS) + 500);
        ((AmqpTransport) transport).abortConnection(); // a crash: nothing more is written

        Transport again = open(Map.of());
        List<Delivery> back = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (back.isEmpty() && System.nanoTime() < deadline) {
            back.addAll(again.receive(List.of(queue), 10, Duration.ofMillis(500)));
        }
        back.addAll(again.receive(List.of(queue), 10, Duration.ofMillis(500)));
        assertThat(back).extracting(d -> new String(d.message().body(), StandardCharsets.UTF_8))
                .containsExactly("held");
        again.ackAll(back);
    }

    @Test
    void sizeAndPurgeOfAMissingQueueAreZeroAndLeaveTheTransportUsable() throws Exception {
        String missing = "amqp-missing-" + UUID.randomUUID();

        assertThat(transport.size(missing)).isZero();
        assertThat(transport.purge(missing)).isZero();

        transport.publish(queue, message("still works"));
        assertThat(transport.size(queue)).isEqualTo(1);
    }

    @Test
    void queueIsDeclaredAsCeleryDoesBoundToAnExchangeOfItsName() throws Exception {
        transport.declare(queue);

        // what Celery declares for a queue it was not configured with: a durable direct exchange of the queue's name,
        // the durable queue without arguments, bound by name; redeclaring succeeds only when the attributes agree
        withRawChannel(ch -> {
            ch.exchangeDeclare(queue, "direct", true, false, null);
            ch.queueDeclare(queue, true, false, false, null);
            ch.basicPublish(queue, queue, null, "raw".getBytes(StandardCharsets.UTF_8));
        });
        assertThat(receiveAll(List.of(queue), 1)).hasSize(1);
    }

    @Test
    void priorityOptionDeclaresQueuesWithMaxPriority() throws Exception {
        Transport prioritised = open(Map.of("queue_max_priority", "10"));
        prioritised.declare(queue);

        withRawChannel(ch -> ch.queueDeclare(queue, true, false, false, Map.of("x-max-priority", 10)));
    }

    private List<Delivery> receiveAll(List<String> queues, int count) throws InterruptedException {
        List<Delivery> all = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (all.size() < count && System.nanoTime() < deadline) {
            all.addAll(transport.receive(queues, count - all.size(), Duration.ofMillis(500)));
        }
        return all;
    }
}
