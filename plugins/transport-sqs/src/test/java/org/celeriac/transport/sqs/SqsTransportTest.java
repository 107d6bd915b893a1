package org.celeriac.transport.sqs;

import java.time.Duration;
import java.util.Map;

import org.celeriac.spi.transport.Transport;
import org.celeriac.tck.TransportContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The transport contract on ElasticMQ, SQS's API in this JVM. */
class SqsTransportTest extends TransportContract {

    private static final SqsTransportFactory FACTORY = new SqsTransportFactory();

    @RegisterExtension
    static final ElasticMq SQS = new ElasticMq();

    @Override
    protected Transport openTransport() {
        return FACTORY.open(SQS.url(), Map.of("visibility_timeout", "3", "wait_time_seconds", "2",
                "polling_interval", "0.2"));
    }

    /** SQS has no priorities (kombu's SQS transport neither). */
    @Override
    protected boolean supportsPriority() {
        return false;
    }

    @Override
    protected boolean supportsBroadcast() {
        return false;
    }

    @Override
    protected boolean supportsTopics() {
        return false;
    }

    /** Standard queues order on a best-effort basis; ElasticMQ mixes a batch up. FIFO order: SqsKombuLayoutTest. */
    @Override
    protected boolean keepsOrder() {
        return false;
    }

    /** The 3 s visibility timeout. */
    @Override
    protected Duration redeliveryWait() {
        return Duration.ofSeconds(3);
    }
}
