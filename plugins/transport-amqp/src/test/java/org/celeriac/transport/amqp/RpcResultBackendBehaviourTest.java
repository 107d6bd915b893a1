package org.celeriac.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.celeriac.spi.backend.BackendException;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;
import org.junit.jupiter.api.Test;

class RpcResultBackendBehaviourTest {

    private static TaskResult success(String id, Map<String, Object> extended) {
        return new TaskResult(id, TaskState.SUCCESS, 42, null, List.of(), Instant.now(), extended);
    }

    @Test
    void refusesABrokerThatIsNotAmqp() {
        RpcResultBackendFactory factory = new RpcResultBackendFactory();

        assertThatThrownBy(() -> factory.open("rpc://", Map.of("broker_url", "redis://:secret@localhost:6379/0")))
                .isInstanceOf(BackendException.class)
                .hasMessageContaining("AMQP broker")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> factory.open("rpc://", Map.of())).hasMessageContaining("not set");
    }

    @Test
    void dropsAResultWhoseSenderNamedNoReplyQueue() {
        try (ResultBackend rpc = new RpcResultBackendFactory().open("rpc://", Map.of("broker_url", AmqpTestBroker.url()))) {
            String id = UUID.randomUUID().toString();

            rpc.store(success(id, Map.of()), null);

            assertThat(rpc.get(id)).isEmpty();
        }
    }

    @Test
    void onlyTheSenderHearsItsResults() throws Exception {
        String url = AmqpTestBroker.url();
        RpcResultBackendFactory factory = new RpcResultBackendFactory();
        try (ResultBackend sender = factory.open("rpc://", Map.of("broker_url", url));
             ResultBackend other = factory.open("rpc://", Map.of("broker_url", url));
             ResultBackend worker = factory.open("rpc://", Map.of("broker_url", url))) {
            String id = UUID.randomUUID().toString();
            other.replyQueue();

            worker.store(success(id, Map.of("reply_to", sender.replyQueue(), "correlation_id", id)), Duration.ofHours(1));

            assertThat(sender.await(id, Duration.ofSeconds(10))).map(TaskResult::result).contains(42);
            assertThat(sender.get(id).orElseThrow().extended()).doesNotContainKeys("reply_to", "correlation_id");
            assertThat(other.get(id)).isEmpty();
            assertThat(worker.get(id)).isEmpty();
            assertThat(sender.replyQueue()).isNotEqualTo(other.replyQueue());
        }
    }
}
