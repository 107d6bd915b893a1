package org.celeriac.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.celeriac.transport.amqp.AmqpTestBroker.withRawChannel;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Topic exchanges beyond the contract, on a real RabbitMQ (CELERIAC_TEST_AMQP_URL). */
@Timeout(60)
class AmqpTopicBehaviourTest {

    private static String url;
    private Transport transport;
    private String exchange;

    @BeforeAll
    static void requireBroker() {
        url = AmqpTestBroker.url();
    }

    @BeforeEach
    void open() {
        transport = new AmqpTransportFactory().open(url, Map.of());
        exchange = "amqp-topic-" + UUID.randomUUID();
    }

    @AfterEach
    void close() throws Exception {
        transport.close();
        withRawChannel(ch -> ch.exchangeDelete(exchange));
    }

    private static Message event(String body) {
        return new Message(body.getBytes(StandardCharsets.UTF_8), "application/json", "utf-8",
                Map.of("hostname", "w@h"), Map.of());
    }

    @Test
    void declaresTheExchangeAsKombuDeclaresCeleryev() throws Exception {
        transport.publishTopic(exchange, "worker.online", event("{}"));

        // Exchange(name, type='topic'): durable, not auto-deleted; a different declaration would be refused
        withRawChannel(ch -> ch.exchangeDeclare(exchange, "topic", true, false, null));
    }

    @Test
    void publishesTransientWithTheMessagesHeaders() throws Exception {
        List<Message> got = Collections.synchronizedList(new ArrayList<>());
        transport.subscribeTopic(exchange, "#", got::add);

        transport.publishTopic(exchange, "task.sent", event("{\"type\": \"task-sent\"}"));
        awaitOne(got);

        assertThat(got.get(0).properties()).containsEntry("delivery_mode", 1);
        assertThat(got.get(0).headers()).containsEntry("hostname", "w@h");
    }

    @Test
    void publishesAgainAfterTheExchangeWasDeleted() throws Exception {
        transport.publishTopic(exchange, "task.sent", event("{}"));
        withRawChannel(ch -> ch.exchangeDelete(exchange));

        transport.publishTopic(exchange, "task.sent", event("{}"));

        withRawChannel(ch -> ch.exchangeDeclarePassive(exchange));
    }

    private static void awaitOne(List<?> list) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (list.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(list).hasSize(1);
    }
}
