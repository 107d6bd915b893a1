package org.celeriac.backend.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import org.celeriac.spi.beat.ScheduleStore;
import org.celeriac.spi.beat.ScheduleStoreException;
import org.celeriac.spi.beat.ScheduleStoreFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the SQL schedule store does beyond the contract. */
@Timeout(60)
class SqlScheduleStoreTest {

    @TempDir
    Path dir;

    private ScheduleStore open() {
        return new SqlScheduleStoreFactory().open("sql:file:" + dir.resolve("beat"), Map.of());
    }

    @Test
    void isFoundByServiceLoaderForSqlAndJdbcUrls() {
        List<ScheduleStoreFactory> found = new ArrayList<>();
        ServiceLoader.load(ScheduleStoreFactory.class).forEach(found::add);

        assertThat(found).hasAtLeastOneElementOfType(SqlScheduleStoreFactory.class);
        assertThat(new SqlScheduleStoreFactory().schemes()).containsExactlyInAnyOrder("sql", "jdbc");
    }

    @Test
    void leaseOfZeroTtlHasRunOutByTheDatabasesClockAtOnce() {
        try (ScheduleStore store = open()) {
            assertThat(store.acquireLease("beat-a", Duration.ZERO)).isTrue();

            assertThat(store.leaseHolder()).isEmpty();
            assertThat(store.acquireLease("beat-b", Duration.ofHours(1))).isTrue();
        }
    }

    @Test
    void everythingSurvivesClosingAndReopeningTheDatabase() {
        Instant tick = Instant.parse("2026-11-25T11:41:32.668123Z");
        try (ScheduleStore store = open()) {
            store.recordRun("nightly", tick);
            store.putEntry("add", "{\"task\": \"demo.add\", \"schedule\": 30.0}");
            store.acquireLease("beat-a", Duration.ofHours(1));
        }
        try (ScheduleStore store = open()) {
            assertThat(store.lastRuns()).isEqualTo(Map.of("nightly", tick));
            assertThat(store.entries()).isEqualTo(Map.of("add", "{\"task\": \"demo.add\", \"schedule\": 30.0}"));
            assertThat(store.leaseHolder()).contains("beat-a");
        }
    }

    @Test
    void storeSharesTheDatabaseWithTheResultBackend() {
        String url = "sql:file:" + dir.resolve("shared");
        try (ScheduleStore store = new SqlScheduleStoreFactory().open(url, Map.of());
             var backend = new SqlResultBackendFactory().open(url, Map.of())) {
            store.putEntry("add", "{}");

            assertThat(backend.increment("k", 1, null)).isEqualTo(1);
            assertThat(store.entries()).containsOnlyKeys("add");
        }
    }

    @Test
    void closedStoreRefusesWork() {
        ScheduleStore store = open();
        store.close();
        store.close();

        assertThatThrownBy(store::lastRuns).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void unreachableDatabaseFailsAsAStoreFailure() {
        assertThatThrownBy(() -> new SqlScheduleStoreFactory().open(
                "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=1", Map.of()))
                .isInstanceOf(ScheduleStoreException.class);
    }
}
