package org.celeriac.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.SendOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Celery's {@code add_consumer}, {@code cancel_consumer} and {@code inspect active_queues} on a running worker. */
@Timeout(60)
class WorkerConsumerControlTest extends ControlTestSupport {

    private static AsyncResult add(Celeriac app, String queue, int x) {
        return app.client().send("t.add", List.of(x, 1), Map.of(), SendOptions.defaults().queue(queue));
    }

    @Test
    void queueAddedIsDeclaredAndConsumedAsWell() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 2);
        AsyncResult waiting = add(app, "extra", 1);

        assertThat(worker.addConsumer("extra")).isTrue();

        assertThat(waiting.get(WAIT)).isEqualTo(2);
        assertThat(add(app, "celery", 2).get(WAIT)).isEqualTo(3);
        assertThat(worker.queues()).containsExactly("celery", "extra");
        assertThat(worker.options().queues()).as("the options it started with").containsExactly("celery");
    }

    @Test
    void queueConsumedAlreadyIsNotAddedTwice() {
        Celeriac app = app();
        Worker worker = startWorker(app, 1);

        assertThat(worker.addConsumer("celery")).isFalse();
        assertThat(worker.queues()).containsExactly("celery");
        assertThatThrownBy(() -> worker.addConsumer(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void queueCancelledIsNoLongerConsumedUntilAddedBack() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, app.workerOptions().withConcurrency(1).withQueues(List.of("celery", "other")));

        assertThat(worker.cancelConsumer("celery")).isTrue();
        // Once a task sent after the cancel ran, the consumer takes from "other" alone.
        add(app, "other", 1).get(WAIT);
        AsyncResult left = add(app, "celery", 10);
        add(app, "other", 2).get(WAIT);

        assertThat(left.ready()).isFalse();
        assertThat(app.transport().size("celery")).isEqualTo(1);
        assertThat(worker.queues()).containsExactly("other");
        assertThat(worker.addConsumer("celery")).isTrue();
        assertThat(left.get(WAIT)).isEqualTo(11);
    }

    @Test
    void workerWithEveryQueueCancelledTakesNothingUntilOneIsAdded() throws Exception {
        Celeriac app = app();
        Worker worker = startWorker(app, 1);

        assertThat(worker.cancelConsumer("celery")).isTrue();
        assertThat(worker.queues()).isEmpty();
        worker.addConsumer("celery");

        assertThat(add(app, "celery", 1).get(WAIT)).isEqualTo(2);
    }

    @Test
    void queueNotConsumedCannotBeCancelled() {
        Celeriac app = app();
        Worker worker = startWorker(app, 1);

        assertThat(worker.cancelConsumer("elsewhere")).isFalse();
        assertThat(worker.queues()).containsExactly("celery");
    }

    @Test
    void queueAddedBeforeTheStartIsConsumedFromTheStart() throws Exception {
        Celeriac app = app();
        AsyncResult waiting = add(app, "early", 4);
        Worker worker = app.worker(app.workerOptions().withConcurrency(1));
        try {
            assertThat(worker.addConsumer("early")).isTrue();
            worker.start();

            assertThat(waiting.get(WAIT)).isEqualTo(5);
        } finally {
            worker.stop();
        }
    }
}
