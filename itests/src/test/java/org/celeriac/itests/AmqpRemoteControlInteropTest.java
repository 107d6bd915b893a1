package org.celeriac.itests;

import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@link RemoteControlInteropContract} on RabbitMQ (the node of {@code CELERIAC_TEST_AMQP_URL}), Celeriac told
 * {@code amqp://}, Celery {@code pyamqp://}, results on Redis (db 12 of {@link TestRedis}). Before the class, the
 * task queues it uses are deleted, so that whoever comes first declares them. The broadcasts (exchanges
 * {@code celery.pidbox}, {@code celeryev}) reach only the workers connected, all of them this class's: the test
 * classes run one after another, each killing its workers. Skipped without RabbitMQ or Celery, except under CI.
 */
class AmqpRemoteControlInteropTest extends RemoteControlInteropContract {
    private static final int RESULTS_DB = 12;

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
        RabbitMqServers.deleteQueues(amqp, "celery", PYTHON_QUEUE);
        REDIS.flush(RESULTS_DB);
    }
}
