package org.celeriac.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsTest {

    @Test
    void flagsWinOverEnvironmentWhichWinsOverTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("celeriac.properties");
        Files.writeString(file, "broker_url = jdbc:h2:mem:file\nworker_concurrency=3\ntask_acks_late=true\n"
                + "result_backend=jdbc:h2:mem:file\n");

        Settings s = Settings.resolve(Map.of("broker_url", "memory://flag"),
                Map.of("CELERIAC_WORKER_CONCURRENCY", "5", "CELERIAC_BROKER_URL", "memory://env", "PATH", "/bin"), file);

        assertThat(s.get(Settings.BROKER_URL)).isEqualTo("memory://flag");
        assertThat(s.getInt(Settings.WORKER_CONCURRENCY, 1)).isEqualTo(5);
        assertThat(s.getBoolean(Settings.TASK_ACKS_LATE)).isTrue();
        assertThat(s.get(Settings.RESULT_BACKEND)).isEqualTo("jdbc:h2:mem:file");
        assertThat(s.get("path")).isNull();
    }

    @Test
    void defaultsToTheEmbeddedSqlBrokerAndCeleryDefaults() {
        Settings s = Settings.resolve(Map.of(), Map.of(), null);

        assertThat(s.get(Settings.BROKER_URL)).isEqualTo("sql://");
        assertThat(s.get(Settings.RESULT_BACKEND)).isEqualTo("sql://");
        assertThat(s.get(Settings.TASK_DEFAULT_QUEUE)).isEqualTo("celery");
        assertThat(s.getBoolean(Settings.TASK_ACKS_LATE)).isFalse();
        assertThat(s.getSeconds(Settings.RESULT_EXPIRES)).isEqualTo(Duration.ofDays(1));
        assertThat(s.getList(Settings.ACCEPT_CONTENT)).containsExactly("json");
    }

    @Test
    void groupsTransportOptionsByPrefix() {
        Settings s = Settings.resolve(Map.of("broker_transport_options.visibility_timeout", "30"),
                Map.of("CELERIAC_BROKER_TRANSPORT_OPTIONS__POLLING_INTERVAL", "0.1"), null);

        assertThat(s.withPrefix("broker_transport_options."))
                .containsExactly(Map.entry("polling_interval", "0.1"), Map.entry("visibility_timeout", "30"));
    }

    @Test
    void givesPluginsCelerysTlsDictUnderKombusNamesBeneathTheirOptions() {
        Settings s = Settings.of(Map.of("broker_use_ssl.ca_certs", "/amqp-ca.pem",
                "broker_use_ssl.ssl_cert_reqs", "CERT_REQUIRED", "broker_transport_options.visibility_timeout", "30",
                "redis_backend_use_ssl.ssl_ca_certs", "/redis-ca.pem",
                "result_backend_transport_options.ssl_ca_certs", "/wins.pem"));

        assertThat(s.pluginOptions(Settings.BROKER_TRANSPORT_OPTIONS, Settings.BROKER_USE_SSL)).containsExactly(
                Map.entry("ssl_ca_certs", "/amqp-ca.pem"), Map.entry("ssl_cert_reqs", "CERT_REQUIRED"),
                Map.entry("visibility_timeout", "30"));
        assertThat(s.pluginOptions(Settings.RESULT_BACKEND_TRANSPORT_OPTIONS, Settings.REDIS_BACKEND_USE_SSL))
                .containsExactly(Map.entry("ssl_ca_certs", "/wins.pem"));
    }

    @Test
    void explainsValuesOfTheWrongForm() {
        Settings s = Settings.of(Map.of("worker_concurrency", "many", "task_acks_late", "maybe"));

        assertThatThrownBy(() -> s.getInt(Settings.WORKER_CONCURRENCY, 1))
                .hasMessage("setting worker_concurrency must be a whole number, not 'many'");
        assertThatThrownBy(() -> s.getBoolean(Settings.TASK_ACKS_LATE))
                .hasMessage("setting task_acks_late must be true or false, not 'maybe'");
    }
}
