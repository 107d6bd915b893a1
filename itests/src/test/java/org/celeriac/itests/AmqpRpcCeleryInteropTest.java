package org.celeriac.itests;

/**
 * The {@link CeleryInteropContract} on RabbitMQ with Celery's {@code rpc://} result backend on both sides: a worker
 * sends each result to the reply queue its sender named, so every client reads back only its own tasks' results,
 * whichever kind of worker ran them.
 */
class AmqpRpcCeleryInteropTest extends AmqpCeleryInteropTest {

    /** Fewer tasks on the shared queue: Celery 5.2's rpc:// client reads its results back slowly, ~0.2 s each. */
    @Override
    int sharedQueueTasksEach() {
        return 60;
    }

    @Override
    String backend() {
        return "rpc://";
    }

    /** Replies live in each client's own queue, which goes with the client: only the task queues need clearing. */
    @Override
    void clear() throws Exception {
        clearQueues();
    }
}
