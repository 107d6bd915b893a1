package org.celeriac.itests;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@link FlowerInteropContract} on RabbitMQ (the node of {@code CELERIAC_TEST_AMQP_URL}), Celeriac told
 * {@code amqp://}, Celery and Flower {@code pyamqp://}, results on Redis (db 15 of {@link TestRedis}). Celery's
 * default queue and exchange are deleted before the class, so that whoever comes first declares them. Skipped
 * without RabbitMQ, Celery or Flower's Python modules, except under CI.
 */
class AmqpFlowerInteropTest extends FlowerInteropContract {
    private static final int RESULTS_DB = 15;

    @RegisterExtension
    static final TestRedis REDIS = new TestRedis();

    private String amqp;

    @Override
    void require() throws InterruptedException {
        amqp = RabbitMqServers.environmentUrl();
        PythonProcesses.requireModules("celery", "amqp", "redis");
    }

    @Override
    RemoteWorkers.Urls urls() {
        return RemoteWorkers.Urls.onRabbitMq(amqp, REDIS.url(RESULTS_DB));
    }

    @Override
    void clear() throws Exception {
        RabbitMqServers.deleteQueues(amqp, "celery");
        REDIS.flush(RESULTS_DB);
    }
}
