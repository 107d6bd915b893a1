package org.celeriac.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;
import org.junit.jupiter.api.Test;

/** amqps:// against a real RabbitMQ TLS listener whose certificate a CA of its own signed. */
class AmqpTlsTest {

    private final AmqpTransportFactory factory = new AmqpTransportFactory();

    @Test
    void exchangesMessagesOverTlsTrustingTheGivenCa() throws Exception {
        String queue = "tls-" + UUID.randomUUID();
        try (Transport t = factory.open(AmqpTestBroker.tlsUrl(), Map.of())) {
            t.publish(queue, new Message("over tls".getBytes(StandardCharsets.UTF_8), "application/json", null,
                    Map.of("id", "1"), Map.of()));

            List<Delivery> got = t.receive(List.of(queue), 1, Duration.ofSeconds(10));

            assertThat(got).hasSize(1);
            assertThat(new String(got.get(0).message().body(), StandardCharsets.UTF_8)).isEqualTo("over tls");
            t.ack(got.get(0));
        }
    }

    @Test
    void refusesAServerTheJvmDoesNotTrust() {
        String withoutCa = AmqpTestBroker.tlsUrl().replaceFirst("[?&]ssl_ca_certs=[^&]*", "");

        assertThatThrownBy(() -> factory.open(withoutCa, Map.of()).close())
                .isInstanceOf(TransportException.class)
                .hasMessageContaining("Cannot connect");
    }
}
