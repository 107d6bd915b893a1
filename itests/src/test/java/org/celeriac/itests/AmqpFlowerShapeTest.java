package org.celeriac.itests;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@link FlowerShapeContract} on RabbitMQ (the node of {@code CELERIAC_TEST_AMQP_URL}), Celeriac told
 * {@code amqp://}, Celery and Flower {@code pyamqp://}, results on Redis (db 15 of {@link TestRedis}). The class's
 * queues are deleted before it, so that whoever comes first declares them. Skipped without RabbitMQ, Celery or
 * Flower's Python modules, except under CI.
 */
class AmqpFlowerShapeTest extends FlowerShapeContract {
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
        RabbitMqServers.deleteQueues(amqp, "celery", "shape-jvm", "shape-py", "shape-extra");
        REDIS.flush(RESULTS_DB);
    }

    /** Flower asks RabbitMQ's management plugin for queue lengths (none here: it lists none); Celeriac the broker. */
    @Override
    boolean flowerListsQueueLengths() {
        return false;
    }
}
