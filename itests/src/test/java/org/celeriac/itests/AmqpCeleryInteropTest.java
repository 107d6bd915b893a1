package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

/**
 * Python Celery and Celeriac on one RabbitMQ (the node of {@code CELERIAC_TEST_AMQP_URL}), Celeriac told
 * {@code amqp://}, Celery {@code pyamqp://} (kombu's py-amqp transport), results on Redis (db 2 of
 * {@link TestRedis}): the {@link CeleryInteropContract}. Before each test Celery's default queue and exchange
 * ({@code celery}) are deleted, so that whichever side comes first declares them and the other must accept that
 * declaration (a mismatch would close its channel with PRECONDITION_FAILED). Another result backend (rpc://) is
 * a subclass overriding {@link #backend()}, and {@link #clear()} to clear only the queues. Skipped without RabbitMQ
 * or Celery, except under CI.
 */
class AmqpCeleryInteropTest extends CeleryInteropContract {
    static final String DEFAULT_QUEUE = "celery";
    /** Where a Celeriac worker puts messages it cannot run, e.g. of an unknown task. */
    private static final String DEAD_LETTER_QUEUE = "celeriac.dead_letter";
    private static final int RESULTS_DB = 2;

    @RegisterExtension
    static final TestRedis REDIS = new TestRedis();

    private static String amqp;

    AmqpCeleryInteropTest() {
        super(200);
    }

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
        clearQueues();
        REDIS.flush(RESULTS_DB);
    }

    /**
     * Deletes Celery's default queue and exchange, so that whoever comes first declares them, and the dead-letter
     * queue. Deleting what is not there is fine in AMQP 0-9-1 on RabbitMQ.
     */
    final void clearQueues() throws Exception {
        try (Connection c = RabbitMqServers.connect(amqp); Channel ch = c.createChannel()) {
            ch.queueDelete(DEFAULT_QUEUE);
            ch.exchangeDelete(DEFAULT_QUEUE);
            ch.queueDelete(DEAD_LETTER_QUEUE);
        }
    }

    /** Once no worker is connected, whatever a worker had taken and not acked is back among the ready messages. */
    @Override
    void assertDefaultQueueDrained() throws Exception {
        AMQP.Queue.DeclareOk queue = RabbitMqServers.passiveDeclare(amqp, DEFAULT_QUEUE);
        assertThat(queue.getConsumerCount()).as("consumers left on the queue").isZero();
        assertThat(queue.getMessageCount()).as("messages left on the queue, waiting or unacked").isZero();
    }
}
