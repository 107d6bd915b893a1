package org.celeriac.transport.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.celeriac.redis.RedisTestServer;
import org.celeriac.redis.RedisUrl;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import redis.clients.jedis.Jedis;

/**
 * The transport's own options on top of the URL that org.celeriac.redis reads (RedisUrlTest there), and a URL's
 * credentials and database in use.
 */
class RedisTransportOptionsTest {

    @RegisterExtension
    static final RedisTestServer REDIS = new RedisTestServer();

    private static RedisUrl parse(String url, Map<String, String> options) {
        return RedisUrl.parse(url, options, RedisTransport.DEFAULT_MAX_CONNECTIONS);
    }

    @Test
    void takesDefaultsFromKombu() {
        RedisUrl u = parse("redis://localhost", Map.of());

        assertThat(RedisTransport.visibilityTimeoutOf(u)).isEqualTo(Duration.ofHours(1));
        assertThat(u.maxConnections()).isEqualTo(64);
        assertThat(new RedisTransportFactory().schemes()).containsExactlyInAnyOrder("redis", "rediss");
    }

    @Test
    void takesTheVisibilityTimeoutFromTheQueryOrTheSettingsTheQueryWinning() {
        Map<String, String> settings = Map.of("visibility_timeout", "30", "socket_timeout", "2.5");

        assertThat(RedisTransport.visibilityTimeoutOf(parse("redis://h/0", settings)))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(RedisTransport.visibilityTimeoutOf(parse("redis://h/0?visibility_timeout=1.5", settings)))
                .isEqualTo(Duration.ofMillis(1_500));
        assertThat(RedisTransport.visibilityTimeoutOf(parse("redis://h/0?visibility_timeout=None", settings)))
                .as("None: the default").isEqualTo(Duration.ofHours(1));
    }

    @Test
    void refusesWhatItCannotRead() {
        assertThatThrownBy(() -> new RedisTransportFactory().open("redis://h?visibility_timeout=0", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("visibility_timeout");
        assertThatThrownBy(() -> new RedisTransportFactory().open("redis://h?visibility_timeout=ten", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("visibility_timeout");
        assertThatThrownBy(() -> new RedisTransportFactory().open("amqp://h", Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("amqp");
    }

    /** A user of Redis's ACLs with a password, on database 3 of the test server. */
    @Test
    void connectsAsTheUserWithItsPasswordToItsDatabase() throws Exception {
        URI redis = URI.create(REDIS.url());
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
