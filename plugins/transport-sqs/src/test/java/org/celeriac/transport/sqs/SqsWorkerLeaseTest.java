package org.celeriac.transport.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.config.Settings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Celeriac workers on SQS renew the visibility timeout of what they hold: a late-ack task that runs for three
 * visibility timeouts, with a second worker on the queue, runs once (kombu's SQS workers run it again).
 */
class SqsWorkerLeaseTest {

    @RegisterExtension
    static final ElasticMq SQS = new ElasticMq();

    private final List<Celeriac> apps = new ArrayList<>();

    @AfterEach
    void close() {
        apps.forEach(Celeriac::close);
    }

    private Celeriac app(String queue, String backend) {
        Map<String, String> s = new HashMap<>();
        s.put(Settings.BROKER_URL, SQS.url());
        s.put(Settings.RESULT_BACKEND, backend);
        s.put("task_default_queue", queue);
        s.put("task_acks_late", "true");
        s.put("broker_transport_options.visibility_timeout", "2");
        s.put("broker_transport_options.wait_time_seconds", "1");
        Celeriac app = Celeriac.open(Settings.of(s));
        app.tasks().register(InteropTasks.class);
        apps.add(app);
        return app;
    }

    @Test
    void lateAckTaskLongerThanTheVisibilityTimeoutRunsOnce() throws Exception {
        String queue = "lease-" + UUID.randomUUID();
        String backend = "memory://lease-" + UUID.randomUUID();
        String key = UUID.randomUUID().toString();
        Celeriac first = app(queue, backend);
        first.worker(first.workerOptions().withQueues(List.of(queue)).withConcurrency(1)).start();

        AsyncResult r = first.client().send("sqs.slow", List.of(key, 6), Map.of());
        while (InteropTasks.RUNS.get(key) == null) {
            Thread.sleep(50);
        }
        Celeriac second = app(queue, backend);
        second.worker(second.workerOptions().withQueues(List.of(queue)).withConcurrency(1)).start();

        assertThat(r.get(Duration.ofSeconds(60))).isEqualTo(1);
        Thread.sleep(3_000); // a lost lease would have handed it to the second worker by now
        assertThat(InteropTasks.RUNS.get(key).get()).isEqualTo(1);
        assertThat(first.client().result(r.id()).get(Duration.ofSeconds(5))).isEqualTo(1);
    }
}
