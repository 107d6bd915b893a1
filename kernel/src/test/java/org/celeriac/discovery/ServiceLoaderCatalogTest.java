package org.celeriac.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** What the class path catalog finds of the kernel's own plugins. */
class ServiceLoaderCatalogTest {

    private final PluginCatalog catalog = new ServiceLoaderCatalog();

    @Test
    void findsTheFileScheduleStoreForFileUrls() {
        assertThat(catalog.scheduleStoreFor("file:celeriac-data/beat-schedule.json").schemes()).containsExactly("file");
        assertThat(catalog.scheduleStoreFor("FILE:///var/lib/beat.json").schemes()).containsExactly("file");
    }

    @Test
    void unknownScheduleStoreSchemeNamesTheInstalledOnes() {
        assertThatThrownBy(() -> catalog.scheduleStoreFor("etcd://localhost:2379"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no schedule store plugin for 'etcd:'")
                .hasMessageContaining("[file, memory]");
    }

    @Test
    void findsTheMemoryTransportBackendAndScheduleStoreAndJson() {
        assertThat(catalog.transportFor("memory://x").schemes()).contains("memory");
        assertThat(catalog.backendFor("memory://x").schemes()).contains("memory");
        assertThat(catalog.scheduleStoreFor("memory://x").schemes()).contains("memory");
        assertThat(catalog.serializer("application/json").name()).isEqualTo("json");
    }
}
