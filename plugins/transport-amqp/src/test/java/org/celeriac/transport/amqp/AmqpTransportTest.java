package org.celeriac.transport.amqp;

import java.time.Duration;
import java.util.Map;

import org.celeriac.spi.transport.Transport;
import org.celeriac.tck.TransportContract;
import org.junit.jupiter.api.BeforeAll;

/** The transport contract on a real RabbitMQ (CELERIAC_TEST_AMQP_URL), with Celery's default queues: no priorities. */
class AmqpTransportTest extends TransportContract {

    private static final AmqpTransportFactory FACTORY = new AmqpTransportFactory();
    private static String url;

    @BeforeAll
    static void requireBroker() {
        url = AmqpTestBroker.url();
    }

    @Override
    protected Transport openTransport() {
        return FACTORY.open(url, Map.of());
    }

    /** Celery declares queues without x-max-priority, so priorities are off by default (see the priority test). */
    @Override
    protected boolean supportsPriority() {
        return false;
    }

    /** RabbitMQ requeues a consumer's unacked messages as soon as its connection is gone. */
    @Override
    protected Duration redeliveryWait() {
        return Duration.ofSeconds(2);
    }

    /** Unsettled deliveries are held while the connection lives: a crash is the connection dropping unclosed. */
    @Override
    protected void crash(Transport t) {
        super.crash(t);
        ((AmqpTransport) t).abortConnection();
    }
}
