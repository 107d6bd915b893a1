package org.celeriac.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Transport;
import org.celeriac.tck.TransportContract;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

/** The transport contract with quorum queues (option queue_type=quorum): no priorities, per-consumer prefetch. */
class AmqpQuorumTransportTest extends TransportContract {

    private static final AmqpTransportFactory FACTORY = new AmqpTransportFactory();
    private static String url;

    @BeforeAll
    static void requireBroker() {
        url = AmqpTestBroker.url();
    }

    @Override
    protected Transport openTransport() {
        return FACTORY.open(url, Map.of("queue_type", "quorum"));
    }

    /** RabbitMQ 3.10's quorum queues have no priorities. */
    @Override
    protected boolean supportsPriority() {
        return false;
    }

    @Override
    protected Duration redeliveryWait() {
        return Duration.ofSeconds(2);
    }

    @Override
    protected void crash(Transport t) {
        super.crash(t);
        ((AmqpTransport) t).abortConnection();
    }

    @Test
    void declaresQueuesAsKombuDeclaresAQuorumQueue() throws Exception {
        try (Connection c = AmqpTestBroker.rawConnection(); Channel ch = c.createChannel()) {
            // the same declaration kombu makes for Queue(name, queue_arguments={'x-queue-type': 'quorum'}): accepted
            ch.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
            // a classic declaration of it is refused: so it is a quorum queue
            Channel other = c.createChannel();
            assertThat(org.assertj.core.api.Assertions.catchThrowable(
                    () -> other.queueDeclare(queue, true, false, false, null))).isNotNull();
        }
    }

    @Test
    void prefetchRaisedPastTheFirstLimitKeepsDelivering() throws Exception {
        // more held at once than the first prefetch step: the consumers restart under the raised per-consumer limit
        int count = 40;
        for (int i = 0; i < count; i++) {
            transport.publish(queue, message("q" + i));
        }
        List<Delivery> held = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (held.size() < count && System.nanoTime() < deadline) {
            held.addAll(transport.receive(List.of(queue), 8, Duration.ofMillis(500)));
        }
        assertThat(held).hasSize(count);
        transport.ackAll(held);
        assertThat(transport.receive(List.of(queue), 1, Duration.ofMillis(300))).isEmpty();
    }
}
