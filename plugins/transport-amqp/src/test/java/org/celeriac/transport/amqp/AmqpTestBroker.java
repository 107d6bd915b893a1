package org.celeriac.transport.amqp;

import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.api.Assumptions;

/** The RabbitMQ the tests use: CELERIAC_TEST_AMQP_URL. Without it the tests are skipped, except under CI. */
final class AmqpTestBroker {

    private AmqpTestBroker() {
    }

    static String url() {
        String url = System.getenv("CELERIAC_TEST_AMQP_URL");
        if (url == null || url.isBlank()) {
            String why = "CELERIAC_TEST_AMQP_URL is not set (a RabbitMQ: .ci/rabbitmq.sh start DIR PORT)";
            if ("true".equals(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        return url.strip();
    }
}
