package org.celeriac.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

class MonitorConfigTest {
    private static final Path DATA = Path.of("/srv/celeriac/data");

    @Test
    void anEmptyConfigurationIsFlowersDefaultsOnLoopbackWithoutPersistence() {
        MonitorConfig config = MonitorConfig.fromProperties(Map.of(), DATA);

        assertThat(config).isEqualTo(new MonitorConfig("127.0.0.1", 5555, null, 10_000, Duration.ofSeconds(1), null));
        assertThat(MonitorConfig.enabled(Map.of())).isTrue();
    }

    @Test
    void theFileSetsEverySetting() {
        MonitorConfig config = MonitorConfig.fromProperties(Map.of("address", "127.0.0.2", "port", "5566",
                "basic_auth", "a:b,c:d", "max_tasks", "50", "inspect_timeout", "2.5", "persistent", "true"), DATA);

        assertThat(config).isEqualTo(new MonitorConfig("127.0.0.2", 5566, "a:b,c:d", 50, Duration.ofMillis(2500),
                DATA.resolve("celeriac-data/monitor")));
        assertThat(config.toString()).doesNotContain("a:b");
        assertThat(MonitorConfig.enabled(Map.of("enabled", "false"))).isFalse();
    }

    @Test
    void aRelativeDatabaseIsInTheDataDirectoryAndAnAbsoluteOneWhereItSays() {
        assertThat(MonitorConfig.fromProperties(Map.of("persistent", "true", "db", "mon/db"), DATA).database())
                .isEqualTo(DATA.resolve("mon/db"));
        assertThat(MonitorConfig.fromProperties(Map.of("persistent", "true", "db", "/var/mon"), DATA).database())
                .isEqualTo(Path.of("/var/mon"));
    }

    @Test
    void invalidValuesAreRefusedWithTheirKey() {
        assertThatThrownBy(() -> MonitorConfig.fromProperties(Map.of("port", "70000"), DATA))
                .hasMessageContaining("port");
        assertThatThrownBy(() -> MonitorConfig.fromProperties(Map.of("max_tasks", "many"), DATA))
                .hasMessageContaining("max_tasks");
        assertThatThrownBy(() -> MonitorConfig.fromProperties(Map.of("persistent", "maybe"), DATA))
                .hasMessageContaining("persistent");
        assertThatThrownBy(() -> MonitorConfig.fromProperties(Map.of("basic_auth", "admin"), DATA))
                .hasMessageContaining("USER:PASSWORD");
    }

    @Test
    void apiTokensComeCommaSeparatedAndStayOutOfItsText() {
        MonitorConfig config = MonitorConfig.fromProperties(Map.of("api_tokens", "tok-a, tok-b"), DATA);

        assertThat(config.apiTokens()).containsExactly("tok-a", "tok-b");
        assertThat(config.auth().required()).isTrue();
        assertThat(config.toString()).doesNotContain("tok-a").contains("apiTokens=2");
    }
}
