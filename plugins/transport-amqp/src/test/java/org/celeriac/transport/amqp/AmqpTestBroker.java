package org.celeriac.transport.amqp;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

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
