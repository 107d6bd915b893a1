package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.celeriac.discovery.PluginCatalog;
import org.celeriac.discovery.ServiceLoaderCatalog;
import org.junit.jupiter.api.Test;

/** The command line's catalog finds a schedule store for each scheme the shipped plugins serve. */
class ScheduleStoreCatalogTest {

    private final PluginCatalog catalog = new ServiceLoaderCatalog();

    @Test
    void findsTheFileSqlAndRedisScheduleStoresByScheme() {
        assertThat(factoryOf("file:celeriac-data/beat-schedule.json")).isEqualTo("org.celeriac.beat.FileScheduleStoreFactory");
        assertThat(factoryOf("sql:")).isEqualTo("org.celeriac.backend.sql.SqlScheduleStoreFactory");
        assertThat(factoryOf("jdbc:postgresql://db/celeriac")).isEqualTo("org.celeriac.backend.sql.SqlScheduleStoreFactory");
        assertThat(factoryOf("redis://localhost:6379/0")).isEqualTo("org.celeriac.backend.redis.RedisScheduleStoreFactory");
        assertThat(factoryOf("rediss://localhost:6380/0")).isEqualTo("org.celeriac.backend.redis.RedisScheduleStoreFactory");
    }

    @Test
    void unknownSchemeListsEveryInstalledOne() {
        assertThatThrownBy(() -> catalog.scheduleStoreFor("amqp://guest@localhost//"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no schedule store plugin for 'amqp:'")
                .hasMessageContaining("[file, jdbc, memory, redis, rediss, sql]");
    }

    private String factoryOf(String url) {
        return catalog.scheduleStoreFor(url).getClass().getName();
    }
}
