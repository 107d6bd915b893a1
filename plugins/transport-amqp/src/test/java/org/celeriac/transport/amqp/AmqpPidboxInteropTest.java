package org.celeriac.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Map;
import java.util.UUID;

import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.Transport;
import org.celeriac.tck.PidboxInteropContract;
import org.junit.jupiter.api.Test;

/**
 * Celery's remote control between Python Celery ({@code /usr/bin/python3}, kombu's py-amqp) and this transport on one
 * RabbitMQ, where Celery declares the reply queue too. Skipped without CELERIAC_TEST_AMQP_URL or Python Celery, except
 * under CI.
 */
class AmqpPidboxInteropTest extends PidboxInteropContract {

    @Override
    protected String brokerUrl() {
        return AmqpTestBroker.url();
    }

    @Override
    protected Transport openTransport(String url) {
        return new AmqpTransportFactory().open(url, Map.of());
    }

    @Override
    protected String pythonClientModule() {
        return "amqp";
    }

    @Test
    void celerysReplyQueueDeclarationAgreesWithSubscribeDirect() throws Exception {
        String oid = UUID.randomUUID().toString();
        String queue = oid + "." + REPLIES;
        Subscription s = transport.subscribeDirect(REPLIES, oid, queue, m -> { });

        // a declaration that differs (durable, exclusive, arguments) would fail: PRECONDITION_FAILED, RESOURCE_LOCKED
        assertThat(runPeer("declare-reply-queue", oid)).isEqualTo("OK");
        s.close();

        assertThatThrownBy(() -> AmqpTestBroker.withRawChannel(ch -> ch.queueDeclarePassive(queue)))
                .isInstanceOf(IOException.class);
    }
}
