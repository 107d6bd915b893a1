package org.celeriac.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/** redis-py's TLS options read, and a Redis that speaks TLS only reached, or refused, with them. */
class RedisTlsTest {

    @RegisterExtension
    static final TlsRedisServer REDIS = new TlsRedisServer(false);

    @TempDir
    Path dir;

    private static RedisTls tls(String url) {
        return RedisTls.of(RedisUrl.parse(url, Map.of(), 8));
    }

    private static String ping(String url) {
        RedisUrl u = RedisUrl.parse(url, Map.of(), 8);
        DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder().connectionTimeoutMillis(5_000)
                .socketTimeoutMillis(5_000);
        RedisTls.of(u).applyTo(b);
        try (Jedis j = new Jedis(u.address(), b.build())) {
            return j.ping();
        }
    }

    @Test
    void readsRedisAndKombuSpellingsOfCertReqs() {
        assertThat(RedisTls.certReqs(null)).isEqualTo(RedisTls.Verify.REQUIRED);
        assertThat(RedisTls.certReqs("required")).isEqualTo(RedisTls.Verify.REQUIRED);
        assertThat(RedisTls.certReqs("CERT_REQUIRED")).isEqualTo(RedisTls.Verify.REQUIRED);
        assertThat(RedisTls.certReqs("ssl.CERT_REQUIRED")).isEqualTo(RedisTls.Verify.REQUIRED);
        assertThat(RedisTls.certReqs("CERT_OPTIONAL")).as("a client checks an optional certificate it gets")
                .isEqualTo(RedisTls.Verify.REQUIRED);
        assertThat(RedisTls.certReqs("none")).isEqualTo(RedisTls.Verify.NONE);
        assertThat(RedisTls.certReqs("CERT_NONE")).isEqualTo(RedisTls.Verify.NONE);
        assertThatThrownBy(() -> RedisTls.certReqs("maybe")).hasMessageContaining("required, optional or none");
    }

    @Test
    void checksTheHostNameUnlessToldNotToOrCertificatesAreNotChecked() {
        assertThat(tls("rediss://h").checkHostname()).isTrue();
        assertThat(tls("rediss://h?ssl_check_hostname=false").checkHostname()).isFalse();
        assertThat(tls("rediss://h?ssl_cert_reqs=none").checkHostname()).isFalse();
        assertThat(tls("redis://h")).as("no TLS").isNull();
    }

    @Test
    void refusesTlsOptionsOnAnUnencryptedUrl() {
        assertThatThrownBy(() -> tls("redis://h:6379/0?ssl_ca_certs=/ca.pem"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("h:6379/0").hasMessageContaining("use rediss://");
    }

    @Test
    void namesAMissingOrWrongFile() throws Exception {
        assertThatThrownBy(() -> tls("rediss://h?ssl_ca_certs=" + dir.resolve("missing.pem")))
                .hasMessageContaining("missing.pem");
        Path notPem = Files.writeString(dir.resolve("not.pem"), "hello");
        assertThatThrownBy(() -> tls("rediss://h?ssl_ca_certs=" + notPem))
                .hasMessageContaining("No PEM certificate").hasMessageContaining("not.pem");
        assertThatThrownBy(() -> tls("rediss://h?ssl_keyfile=" + REDIS.certificates().clientKey()))
                .hasMessageContaining("ssl_keyfile without ssl_certfile");
        assertThatThrownBy(() -> tls("rediss://h?ssl_certfile=" + REDIS.certificates().clientCert()))
                .hasMessageContaining("holds no private key");
    }

    @Test
    void readsRsaKeysInPkcs1AsInPkcs8() throws Exception {
        TestCertificates c = REDIS.certificates();
        Path traditional = dir.resolve("server-pkcs1.key");
        c.openssl("rsa", "-in", c.serverKey().toString(), "-traditional", "-out", traditional.toString());
        assertThat(Files.readString(traditional)).contains("BEGIN RSA PRIVATE KEY");

        assertThat(PemFiles.privateKey(traditional)).isEqualTo(PemFiles.privateKey(c.serverKey()));
        assertThat(PemFiles.privateKey(c.clientKey()).getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void talksTlsToAServerWhoseCaItTrusts() {
        assertThat(ping(REDIS.trustingUrl(0))).isEqualTo("PONG");
        assertThat(ping("rediss://localhost:" + REDIS.port() + "/0?ssl_ca_certs=" + REDIS.certificates().ca()))
                .isEqualTo("PONG");
    }

    @Test
    void refusesAServerSignedByAnotherCaOrNoneTheJvmTrusts() {
        assertThatThrownBy(() -> ping(REDIS.url(0) + "?ssl_ca_certs=" + REDIS.certificates().otherCa()))
                .isInstanceOf(JedisConnectionException.class)
                .hasStackTraceContaining("PKIX path building failed");
        assertThatThrownBy(() -> ping(REDIS.url(0))).as("the JVM's trust store")
                .isInstanceOf(JedisConnectionException.class);
    }

    @Test
    void refusesAServerWhoseCertificateNamesAnotherHost() {
        String otherAddress = "rediss://127.0.0.2:" + REDIS.port() + "/0?ssl_ca_certs=" + REDIS.certificates().ca();

        assertThatThrownBy(() -> ping(otherAddress)).isInstanceOf(JedisConnectionException.class)
                .satisfies(e -> assertThat(RedisTls.explain(e)).contains("127.0.0.2")
                        .contains("the server's certificate does not name the host connected to"));
        assertThat(ping(otherAddress + "&ssl_check_hostname=false")).isEqualTo("PONG");
    }

    @Test
    void checksNothingWithCertReqsNone() {
        assertThat(ping(REDIS.url(0) + "?ssl_cert_reqs=CERT_NONE&ssl_ca_certs=" + REDIS.certificates().otherCa()))
                .isEqualTo("PONG");
    }
}
