package org.celeriac.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

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

    private interface ChannelWork {
        void run(Channel ch) throws Exception;
    }

    private static void withRawChannel(ChannelWork work) throws Exception {
        AmqpUrl u = AmqpUrl.parse(url, Map.of());
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(u.host());
        f.setPort(u.port());
        f.setVirtualHost(u.virtualHost());
        f.setUsername(u.user());
        f.setPassword(u.password());
        try (Connection c = f.newConnection(); Channel ch = c.createChannel()) {
            work.run(ch);
        }
    }
}
