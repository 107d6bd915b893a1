package org.celeriac.transport.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import redis.clients.jedis.Jedis;

/** The broker URL's forms, as kombu and redis-py read them, and the transport options it carries. */
class RedisUrlTest {

    private static String url;

    @BeforeAll
    static void startRedis() throws Exception {
        url = RedisTestServer.start();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        RedisTestServer.stop();
    }

    @Test
    void readsHostPortDatabaseAndCredentials() {
        RedisUrl u = RedisUrl.parse("redis://celeriac:p%40ss%3Aw%2Fd@redis.example:6380/3", Map.of());

        assertThat(u.host()).isEqualTo("redis.example");
        assertThat(u.port()).isEqualTo(6380);
        assertThat(u.db()).isEqualTo(3);
        assertThat(u.user()).isEqualTo("celeriac");
        assertThat(u.password()).isEqualTo("p@ss:w/d");
        assertThat(u.ssl()).isFalse();
    }

    @Test
    void readsAPasswordWithoutUserAsRedisPyDoes() {
        assertThat(RedisUrl.parse("redis://:secret@h", Map.of()))
                .satisfies(u -> assertThat(u.user()).isNull())
                .satisfies(u -> assertThat(u.password()).isEqualTo("secret"));
        assertThat(RedisUrl.parse("redis://secret@h", Map.of()))
                .satisfies(u -> assertThat(u.user()).isNull())
                .satisfies(u -> assertThat(u.password()).isEqualTo("secret"));
        assertThat(RedisUrl.parse("redis://:@h", Map.of()).password()).isNull();
    }

    @Test
    void keepsAPlusInAPasswordAsItIs() {
        // a plus is a space only in form-encoded query strings, not in the user info of a URL
        assertThat(RedisUrl.parse("redis://:a+b@h", Map.of()).password()).isEqualTo("a+b");
        assertThat(RedisUrl.parse("redis://:a%2Bb%20c@h", Map.of()).password()).isEqualTo("a+b c");
    }

    @Test
    void takesDefaultsFromKombu() {
        RedisUrl u = RedisUrl.parse("redis://localhost", Map.of());

        assertThat(u.port()).isEqualTo(6379);
        assertThat(u.db()).isZero();
        assertThat(u.user()).isNull();
        assertThat(u.password()).isNull();
        assertThat(u.visibilityTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(u.socketTimeoutMillis()).isEqualTo(10_000);
        assertThat(u.connectTimeoutMillis()).isEqualTo(5_000);
        assertThat(u.maxConnections()).isEqualTo(64);
        assertThat(RedisUrl.parse("redis://", Map.of()).host()).isEqualTo("localhost");
        assertThat(RedisUrl.parse("redis:///2", Map.of())).satisfies(d -> {
            assertThat(d.host()).isEqualTo("localhost");
            assertThat(d.db()).isEqualTo(2);
        });
    }

    @Test
    void redissIsTls() {
        RedisUrl u = RedisUrl.parse("rediss://:pw@redis.example:6380/1?ssl_cert_reqs=required", Map.of());

        assertThat(u.ssl()).isTrue();
        assertThat(u.port()).isEqualTo(6380);
        assertThat(u.password()).isEqualTo("pw");
        assertThat(u).hasToString("rediss://***@redis.example:6380/1");
        assertThat(new RedisTransportFactory().schemes()).containsExactlyInAnyOrder("redis", "rediss");
    }

    @Test
    void readsAnIpv6Host() {
        RedisUrl u = RedisUrl.parse("redis://[::1]:6380/1", Map.of());

        assertThat(u.host()).isEqualTo("::1");
        assertThat(u.where()).isEqualTo("[::1]:6380/1");
    }

    @Test
    void takesTransportOptionsFromTheQueryOrTheSettingsTheQueryWinning() {
        Map<String, String> settings = Map.of("visibility_timeout", "30", "socket_timeout", "2.5",
                "socket_connect_timeout", "0.5", "max_connections", "8");

        RedisUrl fromSettings = RedisUrl.parse("redis://h/0", settings);
        assertThat(fromSettings.visibilityTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(fromSettings.socketTimeoutMillis()).isEqualTo(2_500);
        assertThat(fromSettings.connectTimeoutMillis()).isEqualTo(500);
        assertThat(fromSettings.maxConnections()).isEqualTo(8);

        RedisUrl fromQuery = RedisUrl.parse("redis://h/0?visibility_timeout=1.5&socket_timeout=None", settings);
        assertThat(fromQuery.visibilityTimeout()).isEqualTo(Duration.ofMillis(1_500));
        assertThat(fromQuery.socketTimeoutMillis()).as("None: the default").isEqualTo(10_000);
        assertThat(fromQuery.connectTimeoutMillis()).isEqualTo(500);
    }

    @Test
    void refusesWhatItCannotRead() {
        assertThatThrownBy(() -> RedisUrl.parse("amqp://h", Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("amqp");
        assertThatThrownBy(() -> RedisUrl.parse("redis://h/zero", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("zero");
        assertThatThrownBy(() -> RedisUrl.parse("redis://h?visibility_timeout=0", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("visibility_timeout");
        assertThatThrownBy(() -> RedisUrl.parse("redis://h?socket_timeout=ten", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("socket_timeout");
        assertThatThrownBy(() -> RedisUrl.parse("redis://h", Map.of("max_connections", "many")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max_connections");
        assertThatThrownBy(() -> RedisUrl.parse("redis://:s3cret@h:x", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("s3cret");
    }

    @Test
    void neverShowsThePassword() {
        assertThat(RedisUrl.parse("redis://u:s3cret@h:1/2", Map.of())).hasToString("redis://***@h:1/2");
        assertThat(RedisUrl.parse("redis://h", Map.of())).hasToString("redis://h:6379/0");
    }

    /** A user of Redis's ACLs with a password, on database 3 of the test server. */
    @Test
    void connectsAsTheUserWithItsPasswordToItsDatabase() throws Exception {
        URI redis = URI.create(url);
        String user = "celeriac-" + UUID.randomUUID();
        String queue = "url-" + UUID.randomUUID();
        try (Jedis admin = new Jedis(redis.getHost(), redis.getPort())) {
            admin.aclSetUser(user, "on", ">p@ss+word", "~*", "&*", "+@all");
            try {
                String base = "redis://" + user + ":p%40ss+word@" + redis.getHost() + ":" + redis.getPort();
                try (Transport t = new RedisTransportFactory().open(base + "/3", Map.of())) {
                    t.publish(queue, new Message("x".getBytes(StandardCharsets.UTF_8), "text/plain", "utf-8",
                            Map.of(), Map.of()));
                }
                admin.select(3);
                assertThat(admin.llen(queue)).isEqualTo(1);

                String wrong = "redis://" + user + ":wrong-pw@" + redis.getHost() + ":" + redis.getPort() + "/3";
                assertThatThrownBy(() -> new RedisTransportFactory().open(wrong, Map.of()))
                        .isInstanceOf(TransportException.class)
                        .hasMessageContaining(redis.getHost() + ":" + redis.getPort())
                        .hasMessageNotContaining("wrong-pw");
            } finally {
                admin.del(queue);
                admin.aclDelUser(user);
            }
        }
    }
}
