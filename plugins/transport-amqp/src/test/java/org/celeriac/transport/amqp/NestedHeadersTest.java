package org.celeriac.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.celeriac.transport.amqp.AmqpTestBroker.withRawChannel;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.impl.Frame;

/**
 * Header tables nested deeper than the Java client reads (32) would close the consumer's connection, again on every
 * consumer the broker gives the message to: they reach the worker as an unreadable delivery instead.
 */
@Timeout(60)
class NestedHeadersTest {

    private static Object nested(int depth) {
        Object v = "leaf";
        for (int i = 0; i < depth; i++) {
            v = i % 2 == 0 ? Map.of("a", v) : List.of(v);
        }
        return v;
    }

    private static AMQP.BasicProperties readBack(Frame f) throws Exception {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(f.getPayload()));
        in.skipBytes(2); // class: the properties read weight and body size
        return new AMQP.BasicProperties(in);
    }

    @Test
    void headerFrameNestedTooDeepIsReplacedByOneSayingWhy() throws Exception {
        AMQP.BasicProperties deep = new AMQP.BasicProperties.Builder().contentType("application/json")
                .contentEncoding("utf-8").headers(Map.of("id", "x", "bomb", nested(40))).correlationId("x").build();

        AMQP.BasicProperties got = readBack(NestingGuard.checked(deep.toFrame(1, 42)));

        assertThat(got.getContentType()).isEqualTo("application/json");
        assertThat(got.getContentEncoding()).isEqualTo("utf-8");
        assertThat(got.getHeaders()).containsOnlyKeys(NestingGuard.UNREADABLE);
        assertThat(got.getHeaders().get(NestingGuard.UNREADABLE).toString())
                .contains("Too many levels of nested tables/arrays");
    }

    @Test
    void headerFrameWithinTheLimitIsLeftAlone() throws Exception {
        AMQP.BasicProperties within = new AMQP.BasicProperties.Builder().contentType("application/json")
                .headers(Map.of("id", "x", "nest", nested(30), "list", new ArrayList<>(List.of(nested(2), nested(3)))))
                .build();
        Frame f = within.toFrame(1, 42);

        assertThat(NestingGuard.checked(f)).isSameAs(f);
    }

    @Test
    void messageWithHeadersNestedTooDeepIsHandedOverUnreadableAndTheConnectionLives() throws Exception {
        String queue = "nested-" + UUID.randomUUID();
        Transport transport = new AmqpTransportFactory().open(AmqpTestBroker.url(), Map.of());
        try {
            transport.declare(queue);
            byte[] body = "[[1, 2], {}, {}]".getBytes(StandardCharsets.UTF_8);
            withRawChannel(ch -> {
                ch.basicPublish("", queue, new AMQP.BasicProperties.Builder().contentType("application/json")
                        .headers(Map.of("id", "deep", "bomb", nested(100))).build(), body);
                ch.basicPublish("", queue, new AMQP.BasicProperties.Builder().contentType("application/json")
                        .headers(Map.of("id", "next")).build(), body);
            });

            List<Delivery> got = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (got.size() < 2 && System.nanoTime() < deadline) {
                got.addAll(transport.receive(List.of(queue), 2, Duration.ofMillis(500)));
            }

            assertThat(got).hasSize(2);
            assertThat(got.get(0).unreadable()).contains("nested tables/arrays");
            assertThat(got.get(0).message().body()).isEqualTo(body);
            assertThat(got.get(1).unreadable()).isNull();
            assertThat(got.get(1).message().taskId()).isEqualTo("next");
            transport.ackAll(got);
        } finally {
            withRawChannel(ch -> ch.queueDelete(queue));
            transport.close();
        }
    }
}
