package org.celeriac.itests;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

/**
 * The {@link CanvasInteropContract} on RabbitMQ (the node of {@code CELERIAC_TEST_AMQP_URL}; Celery told
 * {@code pyamqp://}), results on Redis (db 3). The workflow queues and their exchanges are deleted before each test,
 * so that whichever side declares them first wins and the other must accept it.
 */
class AmqpCanvasInteropTest extends CanvasInteropContract {
    private static final int RESULTS_DB = 3;

    @RegisterExtension
    static final TestRedis REDIS = new TestRedis();

    private static String amqp;

    @BeforeAll
    static void celeryAndRabbitMq() throws InterruptedException {
        amqp = RabbitMqServers.environmentUrl();
        PythonProcesses.requireModules("celery", "amqp", "redis");
    }

    @Override
    String broker() {
        return amqp;
    }

    @Override
    String pythonBroker() {
        return amqp.replaceFirst("^amqp://", "pyamqp://");
    }

    @Override
    String backend() {
        return REDIS.url(RESULTS_DB);
    }

    @Override
    void clear() throws Exception {
        try (Connection c = RabbitMqServers.connect(amqp); Channel ch = c.createChannel()) {
            for (String q : new String[] {"java", "py", "celery"}) {
                ch.queueDelete(q);
                ch.exchangeDelete(q);
            }
        }
        REDIS.flush(RESULTS_DB);
    }
}
