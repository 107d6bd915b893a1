package org.celeriac.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class AmqpTopicsTest {

    @Test
    void subscriptionQueuesHaveCeleryEventQueueNamesAndArguments() {
        AmqpTopics topics = new AmqpTopics(AmqpUrl.parse("amqp://h//", Map.of()), null);

        assertThat(AmqpTopics.queueName("celeryev")).matches("celeryev\\.[0-9a-f-]{36}");
        // kombu's to_rabbitmq_queue_arguments of event_queue_ttl=5.0, event_queue_expires=60.0: int milliseconds
        assertThat(topics.queueArguments()).isEqualTo(Map.of("x-message-ttl", 5000, "x-expires", 60000));
    }

    @Test
    void zeroLeavesAnEventQueueArgumentOut() {
        AmqpTopics topics = new AmqpTopics(AmqpUrl.parse("amqp://h//?event_queue_ttl=0&event_queue_expires=0",
                Map.of()), null);

        assertThat(topics.queueArguments()).isEmpty();
    }
}
