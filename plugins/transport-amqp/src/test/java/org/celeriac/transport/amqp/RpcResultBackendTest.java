package org.celeriac.transport.amqp;

import java.util.Map;

import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.tck.ResultBackendContract;
import org.junit.jupiter.api.BeforeAll;

/** The result backend contract for rpc:// on a real RabbitMQ: each client reads the replies sent to it. */
class RpcResultBackendTest extends ResultBackendContract {

    private static String brokerUrl;

    @BeforeAll
    static void requireBroker() {
        brokerUrl = AmqpTestBroker.url();
    }

    @Override
    protected ResultBackend openBackend() {
        return new RpcResultBackendFactory().open("rpc://", Map.of("broker_url", brokerUrl));
    }

    /** As Celery's rpc backend: nothing is shared between clients, so no chord counters. */
    @Override
    protected boolean supportsCounters() {
        return false;
    }

    /** Nor saved groups, as Celery's rpc backend. */
    @Override
    protected boolean supportsGroups() {
        return false;
    }
}
