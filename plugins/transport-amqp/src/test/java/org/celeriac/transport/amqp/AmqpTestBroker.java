package org.celeriac.transport.amqp;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Assumptions;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/** The RabbitMQ the tests use: CELERIAC_TEST_AMQP_URL. Without it the tests are skipped, except under CI. */
final class AmqpTestBroker {

    private AmqpTestBroker() {
    }

    static String url() {
        return fromEnvironment("CELERIAC_TEST_AMQP_URL");
    }

    /** The same node's TLS listener: amqps://...?ssl_ca_certs=the node's CA (.ci/rabbitmq.sh makes both). */
    static String tlsUrl() {
        return fromEnvironment("CELERIAC_TEST_AMQPS_URL");
    }

    interface ChannelWork {
        void run(Channel ch) throws Exception;
    }

    /** A plain amqp-client connection to {@link #url()}, to look at the broker past the transport under test. */
    static Connection rawConnection() throws IOException, TimeoutException {
        AmqpUrl u = AmqpUrl.parse(url(), Map.of());
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(u.host());
        f.setPort(u.port());
        f.setVirtualHost(u.virtualHost());
        f.setUsername(u.user());
        f.setPassword(u.password());
        return f.newConnection();
    }

    /** Runs {@code work} on a channel of a {@link #rawConnection()}, closed after. */
    static void withRawChannel(ChannelWork work) throws Exception {
        try (Connection c = rawConnection(); Channel ch = c.createChannel()) {
            work.run(ch);
        }
    }

    private static String fromEnvironment(String name) {
        String url = System.getenv(name);
        if (url == null || url.isBlank()) {
            String why = name + " is not set (a RabbitMQ: .ci/rabbitmq.sh start DIR PORT)";
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        return url.strip();
    }
}
