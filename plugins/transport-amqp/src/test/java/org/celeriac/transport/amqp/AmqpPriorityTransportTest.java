package org.celeriac.transport.amqp;

import java.time.Duration;
import java.util.Map;

import org.celeriac.spi.transport.Transport;
import org.celeriac.tck.TransportContract;
import org.junit.jupiter.api.BeforeAll;

/** The transport contract with queues declared with x-max-priority (option queue_max_priority). */
class AmqpPriorityTransportTest extends TransportContract {

    private static final AmqpTransportFactory FACTORY = new AmqpTransportFactory();
    private static String url;

    @BeforeAll
    static void requireBroker() {
        url = AmqpTestBroker.url();
    }

    @Override
    protected Transport openTransport() {
        return FACTORY.open(url, Map.of("queue_max_priority", "10"));
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
}
