package org.celeriac.itests;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.celeriac.itests.HostileMessages.Sample;
import org.celeriac.spi.transport.Message;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

/**
 * The {@link HostileInputContract} on RabbitMQ (the node of {@code CELERIAC_TEST_AMQP_URL}), results on Redis (db
 * 3): each message published with basic.publish, its properties and header table as given (what AMQP cannot carry,
 * numbers past a long, goes as a double; NaN and infinities, which RabbitMQ refuses, as text), raw bytes as a body
 * without properties. Skipped without RabbitMQ, except under CI.
 */
class AmqpHostileInputTest extends HostileInputContract {
    private static final int RESULTS_DB = 3;

    @RegisterExtension
    static final TestRedis REDIS = new TestRedis();

    private static String amqp;

    @BeforeAll
    static void rabbitMq() {
        amqp = RabbitMqServers.environmentUrl();
    }

    @Override
    String broker() {
        return amqp;
    }

    @Override
    String backend() {
        return REDIS.url(RESULTS_DB);
    }

    @Override
    void clear() throws Exception {
        RabbitMqServers.deleteQueues(amqp, QUEUE, DEAD_LETTERS);
        REDIS.flush(RESULTS_DB);
    }

    @Override
    boolean redis() {
        return false;
    }

    @Override
    void publish(HostileMessages messages, List<Sample> batch) throws Exception {
        try (Connection c = RabbitMqServers.connect(amqp); Channel ch = c.createChannel()) {
            ch.confirmSelect();
            for (Sample s : batch) {
                if (s.message() == null) {
                    ch.basicPublish("", QUEUE, new AMQP.BasicProperties(), s.raw());
                } else {
                    ch.basicPublish("", QUEUE, properties(s.message()), s.message().body());
                }
            }
            ch.waitForConfirmsOrDie(30_000);
        }
    }

    private static AMQP.BasicProperties properties(Message m) {
        Map<String, Object> p = m.properties();
        AMQP.BasicProperties.Builder b = new AMQP.BasicProperties.Builder()
                .contentType(m.contentType())
                .contentEncoding(m.contentEncoding())
                .headers(table(m.headers()))
                .deliveryMode(2);
        if (p.get("correlation_id") instanceof String s) {
            b.correlationId(s);
        }
        if (p.get("reply_to") instanceof String s) {
            b.replyTo(s);
        }
        if (p.get("priority") instanceof Number n) {
            b.priority(Math.max(0, Math.min(255, n.intValue())));
        }
        return b.build();
    }

    private static Map<String, Object> table(Map<String, ?> headers) {
        Map<String, Object> out = new LinkedHashMap<>();
        headers.forEach((k, v) -> out.put(k, field(v)));
        return out;
    }

    private static Object field(Object v) {
        if (v instanceof BigInteger b) {
            return b.bitLength() < 64 ? (Object) b.longValue() : field(b.doubleValue());
        }
        if (v instanceof BigDecimal d) {
            return field(d.doubleValue());
        }
        if (v instanceof Double d && !Double.isFinite(d)) {
            // RabbitMQ closes the publisher's connection (INTERNAL_ERROR) on NaN or an infinity in a header table:
            // such a message never reaches a worker. As text, it is still the wrong type.
            return d.toString();
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put(String.valueOf(k), field(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            l.forEach(x -> out.add(field(x)));
            return out;
        }
        return v;
    }

    @Override
    long waiting(String queue) throws Exception {
        return RabbitMqServers.passiveDeclare(amqp, queue).getMessageCount();
    }
}
