package org.celeriac.transport.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class AmqpUrlTest {

    @Test
    void readsUserPasswordHostPortAndVirtualHost() {
        AmqpUrl u = AmqpUrl.parse("amqp://alice:s3cret@rabbit.example:5673/prod", Map.of());

        assertThat(u.tls()).isFalse();
        assertThat(u.user()).isEqualTo("alice");
        assertThat(u.password()).isEqualTo("s3cret");
        assertThat(u.host()).isEqualTo("rabbit.example");
        assertThat(u.port()).isEqualTo(5673);
        assertThat(u.virtualHost()).isEqualTo("prod");
    }

    @Test
    void defaultsAsKombuDoes() {
        AmqpUrl u = AmqpUrl.parse("amqp://", Map.of());

        assertThat(u.host()).isEqualTo("localhost");
        assertThat(u.port()).isEqualTo(5672);
        assertThat(u.user()).isEqualTo("guest");
        assertThat(u.password()).isEqualTo("guest");
        assertThat(u.virtualHost()).isEqualTo("/");
        assertThat(u.heartbeat()).isNull();
        assertThat(u.connectionTimeout()).isEqualTo(AmqpUrl.DEFAULT_CONNECTION_TIMEOUT);
        assertThat(u.confirmTimeout()).isEqualTo(AmqpUrl.DEFAULT_CONFIRM_TIMEOUT);
        assertThat(u.maxPriority()).isZero();
    }

    @Test
    void consumerTimeoutIsRabbitMqsDefaultUnlessTold() {
        assertThat(AmqpUrl.parse("amqp://h", Map.of()).consumerTimeout()).isEqualTo(java.time.Duration.ofMinutes(30));
        assertThat(AmqpUrl.parse("amqp://h?consumer_timeout=60", Map.of()).consumerTimeout())
                .isEqualTo(java.time.Duration.ofMinutes(1));
        assertThat(AmqpUrl.parse("amqp://h", Map.of("consumer_timeout", "0")).consumerTimeout()).isNull();
    }

    @Test
    void doubleSlashAndEmptyPathBothNameTheRootVirtualHost() {
        assertThat(AmqpUrl.parse("amqp://guest:guest@127.0.0.1:55672//", Map.of()).virtualHost()).isEqualTo("/");
        assertThat(AmqpUrl.parse("amqp://h/", Map.of()).virtualHost()).isEqualTo("/");
        assertThat(AmqpUrl.parse("amqp://h", Map.of()).virtualHost()).isEqualTo("/");
        assertThat(AmqpUrl.parse("amqp://h/%2Fapp", Map.of()).virtualHost()).isEqualTo("/app");
    }

    @Test
    void amqpsMeansTlsOnPort5671() {
        AmqpUrl u = AmqpUrl.parse("amqps://h", Map.of());

        assertThat(u.tls()).isTrue();
        assertThat(u.port()).isEqualTo(5671);
    }

    @Test
    void pyamqpIsCeleryAliasForAmqp() {
        AmqpUrl u = AmqpUrl.parse("pyamqp://u:p@h:1234//", Map.of());

        assertThat(u.tls()).isFalse();
        assertThat(u.port()).isEqualTo(1234);
        assertThat(new AmqpTransportFactory().schemes()).containsExactlyInAnyOrder("amqp", "amqps", "pyamqp");
    }

    @Test
    void decodesPercentEncodedUserAndPasswordButKeepsPlus() {
        AmqpUrl u = AmqpUrl.parse("amqp://us%40er:p%3Aw+d@h/", Map.of());

        assertThat(u.user()).isEqualTo("us@er");
        assertThat(u.password()).isEqualTo("p:w+d");
    }

    @Test
    void readsIpv6Host() {
        AmqpUrl u = AmqpUrl.parse("amqp://[::1]:5673/", Map.of());

        assertThat(u.host()).isEqualTo("::1");
        assertThat(u.port()).isEqualTo(5673);
    }

    @Test
    void queryOptionsWinOverOptionsMap() {
        AmqpUrl u = AmqpUrl.parse("amqp://h//?heartbeat=30&connection_timeout=2.5",
                Map.of("heartbeat", "60", "confirm_timeout", "5", "queue_max_priority", "10"));

        assertThat(u.heartbeat()).isEqualTo(Duration.ofSeconds(30));
        assertThat(u.connectionTimeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(u.confirmTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(u.maxPriority()).isEqualTo(10);
        assertThat(u.virtualHost()).isEqualTo("/");
    }

    @Test
    void rejectsOtherSchemesAndBadOptionsWithoutShowingThePassword() {
        assertThatThrownBy(() -> AmqpUrl.parse("redis://u:pw@h", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("pw");
        assertThatThrownBy(() -> AmqpUrl.parse("amqp://h?heartbeat=soon", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heartbeat");
        assertThatThrownBy(() -> AmqpUrl.parse("amqp://h", Map.of("queue_max_priority", "256")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> AmqpUrl.parse("amqp://u:pw@h:port/", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("pw");
    }

    @Test
    void queueTypeIsClassicByDefaultAndQuorumOnRequest() {
        assertThat(AmqpUrl.parse("amqp://h//", Map.of()).quorum()).isFalse();
        assertThat(AmqpUrl.parse("amqp://h//?queue_type=classic", Map.of()).quorum()).isFalse();
        assertThat(AmqpUrl.parse("amqp://h//?queue_type=quorum", Map.of()).quorum()).isTrue();
        assertThat(AmqpUrl.parse("amqp://h//", Map.of("queue_type", "Quorum")).quorum()).isTrue();
        assertThat(AmqpTransport.queueArguments(AmqpUrl.parse("amqp://h//?queue_type=quorum", Map.of())))
                .isEqualTo(Map.of("x-queue-type", "quorum"));
        assertThat(AmqpTransport.queueArguments(AmqpUrl.parse("amqp://h//", Map.of()))).isNull();
    }

    @Test
    void refusesUnknownQueueTypesAndPrioritiesOnQuorumQueues() {
        assertThatThrownBy(() -> AmqpUrl.parse("amqp://h//?queue_type=stream", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("queue_type");
        assertThatThrownBy(() -> AmqpUrl.parse("amqp://h//?queue_type=quorum&queue_max_priority=10", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("quorum");
    }

    @Test
    void eventQueueLimitsDefaultToCeleryAndZeroTurnsThemOff() {
        AmqpUrl defaults = AmqpUrl.parse("amqp://h//", Map.of());
        assertThat(defaults.eventQueueTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(defaults.eventQueueExpires()).isEqualTo(Duration.ofSeconds(60));
        AmqpUrl off = AmqpUrl.parse("amqp://h//?event_queue_ttl=0", Map.of("event_queue_expires", "2.5"));
        assertThat(off.eventQueueTtl()).isNull();
        assertThat(off.eventQueueExpires()).isEqualTo(Duration.ofMillis(2500));
    }

    @Test
    void toStringLeavesThePasswordOut() {
        assertThat(AmqpUrl.parse("amqp://u:hidden@h//", Map.of()).toString()).doesNotContain("hidden").contains("u@h");
    }
}
