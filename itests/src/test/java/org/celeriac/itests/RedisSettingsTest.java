package org.celeriac.itests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.config.Settings;
import org.celeriac.itests.RedisServers.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The Redis transport's options as users give them: Celery's settings, the environment, the URL's query. */
class RedisSettingsTest {

    @RegisterExtension
    final TestServers servers = new TestServers();

    @TempDir
    Path dir;

    @Test
    void transportOptionsComeFromTheEnvironmentAndTheUrlQueryWins() throws Exception {
        Server server = servers.redis(dir.resolve("redis"), false);
        Map<String, String> environment = Map.of(
                "CELERIAC_BROKER_URL", server.url(0),
                "CELERIAC_RESULT_BACKEND", server.url(1),
                "CELERIAC_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT", "7");

        try (Celeriac app = Celeriac.open(Settings.resolve(Map.of(), environment, dir.resolve("none.properties")))) {
            assertThat(app.transport().visibilityTimeout()).isEqualTo(Duration.ofSeconds(7));
        }
        Map<String, String> withQuery = Map.of(Settings.BROKER_URL, server.url(0) + "?visibility_timeout=9.5");
        try (Celeriac app = Celeriac.open(Settings.resolve(withQuery, environment, dir.resolve("none.properties")))) {
            assertThat(app.transport().visibilityTimeout()).isEqualTo(Duration.ofMillis(9_500));
        }
    }
}
