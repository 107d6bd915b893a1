package org.celeriac.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The Redis URL's forms, as kombu and redis-py read them, and the options both plugins take. */
class RedisUrlTest {

    private static RedisUrl parse(String url, Map<String, String> options) {
        return RedisUrl.parse(url, options, 64);
    }

    @Test
    void readsHostPortDatabaseAndCredentials() {
        RedisUrl u = parse("redis://celeriac:p%40ss%3Aw%2Fd@redis.example:6380/3", Map.of());

        assertThat(u.host()).isEqualTo("redis.example");
        assertThat(u.port()).isEqualTo(6380);
        assertThat(u.db()).isEqualTo(3);
        assertThat(u.user()).isEqualTo("celeriac");
        assertThat(u.password()).isEqualTo("p@ss:w/d");
        assertThat(u.ssl()).isFalse();
        assertThat(u.address().getHost()).isEqualTo("redis.example");
        assertThat(u.address().getPort()).isEqualTo(6380);
    }

    @Test
    void readsAPasswordWithoutUserAsRedisPyDoes() {
        assertThat(parse("redis://:secret@h", Map.of()))
                .satisfies(u -> assertThat(u.user()).isNull())
                .satisfies(u -> assertThat(u.password()).isEqualTo("secret"));
        assertThat(parse("redis://secret@h", Map.of()))
                .satisfies(u -> assertThat(u.user()).isNull())
                .satisfies(u -> assertThat(u.password()).isEqualTo("secret"));
        assertThat(parse("redis://:@h", Map.of()).password()).isNull();
    }

    @Test
    void keepsAPlusInAPasswordAsItIs() {
        // a plus is a space only in form-encoded query strings, not in the user info of a URL
        assertThat(parse("redis://:a+b@h", Map.of()).password()).isEqualTo("a+b");
        assertThat(parse("redis://:a%2Bb%20c@h", Map.of()).password()).isEqualTo("a+b c");
    }

    @Test
    void takesDefaultsFromKombu() {
        RedisUrl u = parse("redis://localhost", Map.of());

        assertThat(u.port()).isEqualTo(6379);
        assertThat(u.db()).isZero();
        assertThat(u.user()).isNull();
        assertThat(u.password()).isNull();
        assertThat(u.socketTimeoutMillis()).isEqualTo(10_000);
        assertThat(u.connectTimeoutMillis()).isEqualTo(5_000);
        assertThat(u.maxConnections()).as("the caller's default").isEqualTo(64);
        assertThat(RedisUrl.parse("redis://localhost", Map.of(), 16).maxConnections()).isEqualTo(16);
        assertThat(parse("redis://", Map.of()).host()).isEqualTo("localhost");
        assertThat(parse("redis:///2", Map.of())).satisfies(d -> {
            assertThat(d.host()).isEqualTo("localhost");
            assertThat(d.db()).isEqualTo(2);
        });
    }

    @Test
    void redissIsTls() {
        RedisUrl u = parse("rediss://:pw@redis.example:6380/1?ssl_cert_reqs=required", Map.of());

        assertThat(u.ssl()).isTrue();
        assertThat(u.port()).isEqualTo(6380);
        assertThat(u.password()).isEqualTo("pw");
        assertThat(u).hasToString("rediss://***@redis.example:6380/1");
    }

    @Test
    void readsAnIpv6Host() {
        RedisUrl u = parse("redis://[::1]:6380/1", Map.of());

        assertThat(u.host()).isEqualTo("::1");
        assertThat(u.where()).isEqualTo("[::1]:6380/1");
    }

    @Test
    void takesOptionsFromTheQueryOrTheSettingsTheQueryWinning() {
        Map<String, String> settings = Map.of("visibility_timeout", "30", "socket_timeout", "2.5",
                "socket_connect_timeout", "0.5", "max_connections", "8");

        RedisUrl fromSettings = parse("redis://h/0", settings);
        assertThat(fromSettings.socketTimeoutMillis()).isEqualTo(2_500);
        assertThat(fromSettings.connectTimeoutMillis()).isEqualTo(500);
        assertThat(fromSettings.maxConnections()).isEqualTo(8);
        assertThat(fromSettings.seconds("visibility_timeout", Duration.ZERO)).isEqualTo(Duration.ofSeconds(30));

        RedisUrl fromQuery = parse("redis://h/0?visibility_timeout=1.5&socket_timeout=None", settings);
        assertThat(fromQuery.seconds("visibility_timeout", Duration.ZERO)).isEqualTo(Duration.ofMillis(1_500));
        assertThat(fromQuery.socketTimeoutMillis()).as("None: the default").isEqualTo(10_000);
        assertThat(fromQuery.connectTimeoutMillis()).isEqualTo(500);
        assertThat(fromQuery.seconds("unknown", Duration.ofSeconds(4))).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void refusesWhatItCannotRead() {
        assertThatThrownBy(() -> parse("amqp://h", Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("amqp");
        assertThatThrownBy(() -> parse("redis://h/zero", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zero");
        assertThatThrownBy(() -> parse("redis://h?socket_timeout=ten", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("socket_timeout");
        assertThatThrownBy(() -> parse("redis://h?visibility_timeout=x", Map.of())
                .seconds("visibility_timeout", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("visibility_timeout");
        assertThatThrownBy(() -> parse("redis://h", Map.of("max_connections", "many")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max_connections");
        assertThatThrownBy(() -> parse("redis://:s3cret@h:x", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("s3cret");
    }

    @Test
    void neverShowsThePassword() {
        assertThat(parse("redis://u:s3cret@h:1/2", Map.of())).hasToString("redis://***@h:1/2");
        assertThat(parse("redis://u:s3cret@h:1/2", Map.of()).where()).isEqualTo("h:1/2");
        assertThat(parse("redis://h", Map.of())).hasToString("redis://h:6379/0");
    }
}
