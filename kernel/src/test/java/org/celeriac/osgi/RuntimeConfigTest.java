package org.celeriac.osgi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class RuntimeConfigTest {

    @Test
    void keepsCelerySettingsAndDropsTheFrameworksKeys() {
        RuntimeConfig config = RuntimeConfig.from(Map.of(
                "broker_url", "sql://",
                "broker_transport_options.visibility_timeout", "60",
                "service.pid", "org.celeriac",
                "component.name", "org.celeriac.osgi.CeleriacRuntime",
                "component.id", 7L,
                "felix.fileinstall.filename", "file:/opt/celeriac/etc/org.celeriac.cfg",
                ".secret", "x"));

        assertThat(config.values()).containsOnlyKeys("broker_url", "broker_transport_options.visibility_timeout");
        assertThat(config.settings().withPrefix("broker_transport_options.")).containsEntry("visibility_timeout", "60");
        assertThat(config.workerEnabled()).isTrue();
    }

    @Test
    void typedValuesBecomeTheTextSettingsRead() {
        RuntimeConfig config = RuntimeConfig.from(Map.of(
                "worker_queues", new String[] {"a", " b"},
                "accept_content", List.of("json"),
                "worker_concurrency", 4,
                "task_acks_late", Boolean.TRUE));

        assertThat(config.settings().getList("worker_queues")).containsExactly("a", "b");
        assertThat(config.settings().getInt("worker_concurrency", 1)).isEqualTo(4);
        assertThat(config.settings().getBoolean("task_acks_late")).isTrue();
        assertThat(config.settings().getList("accept_content")).containsExactly("json");
    }

    @Test
    void workerEnabledIsReadAndNotPassedOnAsASetting() {
        RuntimeConfig config = RuntimeConfig.from(Map.of("worker_enabled", "false"));

        assertThat(config.workerEnabled()).isFalse();
        assertThat(config.values()).doesNotContainKey("worker_enabled");
        assertThatThrownBy(() -> RuntimeConfig.from(Map.of("worker_enabled", "maybe")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("worker_enabled");
    }

    @Test
    void equalWhenTheSettingsAreEqual() {
        assertThat(RuntimeConfig.from(Map.of("broker_url", "memory://a", "service.pid", "org.celeriac")))
                .isEqualTo(RuntimeConfig.from(Map.of("broker_url", "memory://a")));
    }
}
