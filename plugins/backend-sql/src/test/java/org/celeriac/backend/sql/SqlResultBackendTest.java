package org.celeriac.backend.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.UUID;

import org.celeriac.spi.backend.ChordJoin;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.ResultBackendFactory;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.sql.SqlDatabase;
import org.celeriac.sql.SqlDatabases;
import org.celeriac.sql.SqlUrl;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the SQL result backend does beyond the contract. */
@Timeout(60)
class SqlResultBackendTest {

    @TempDir
    Path dir;

    private ResultBackend open() {
        return new SqlResultBackendFactory().open(url(), Map.of());
    }

    private String url() {
        return "sql:file:" + dir.resolve("results");
    }

    private static TaskResult success(String id, Object value) {
        return new TaskResult(id, TaskState.SUCCESS, value, null, List.of(), Instant.now(), Map.of());
    }

    @Test
    void isFoundByServiceLoaderForSqlAndJdbcUrls() {
        List<ResultBackendFactory> found = new ArrayList<>();
        ServiceLoader.load(ResultBackendFactory.class).forEach(found::add);

        assertThat(found).hasAtLeastOneElementOfType(SqlResultBackendFactory.class);
        assertThat(new SqlResultBackendFactory().schemes()).containsExactlyInAnyOrder("sql", "jdbc");
    }

    @Test
    void keepsDateDoneToTheMicrosecondAndExtendedMetaAsJson() {
        try (ResultBackend backend = open()) {
            String id = UUID.randomUUID().toString();
            Instant done = Instant.parse("2026-11-25T11:41:32.668123Z");
            Map<String, Object> extended = Map.of("name", "demo.add", "args", List.of(1, 2),
                    "kwargs", Map.of("x", 12345678901L), "worker", "w1@host", "queue", "celery");
            backend.store(new TaskResult(id, TaskState.SUCCESS, 3, null, List.of(), done, extended), null);

            TaskResult read = backend.get(id).orElseThrow();

            assertThat(read.dateDone()).isEqualTo(done);
            assertThat(read.extended()).isEqualTo(extended);
            assertThat(read.children()).isEmpty();
            assertThat(read.traceback()).isNull();
        }
    }

    @Test
    void pendingResultHasNoDateDone() {
        try (ResultBackend backend = open()) {
            String id = UUID.randomUUID().toString();
            backend.store(TaskResult.pending(id), Duration.ofMinutes(1));

            assertThat(backend.get(id)).map(TaskResult::dateDone).isEmpty();
            assertThat(backend.get(id)).map(TaskResult::state).contains(TaskState.PENDING);
        }
    }

    @Test
    void backendsOfSeparateFactoriesSeeEachOthersWrites() throws Exception {
        try (ResultBackend writer = open(); ResultBackend reader = open()) {
            String id = UUID.randomUUID().toString();
            writer.store(new TaskResult(id, TaskState.SUCCESS, "ok", null, List.of(), Instant.now(), Map.of()), null);

            Optional<TaskResult> got = reader.await(id, Duration.ofSeconds(10));

            assertThat(got).map(TaskResult::result).contains("ok");
            assertThat(reader.increment("k", 2, null)).isEqualTo(2);
            assertThat(writer.increment("k", 3, null)).isEqualTo(5);
        }
    }

    @Test
    void expiredCounterStartsAgainFromZero() {
        try (ResultBackend backend = open()) {
            String key = "counter-" + UUID.randomUUID();
            // a zero ttl has run out by the next statement, without waiting on a clock
            assertThat(backend.increment(key, 5, Duration.ZERO)).isEqualTo(5);

            assertThat(backend.increment(key, 1, Duration.ofHours(1))).isEqualTo(1);
            assertThat(backend.increment(key, 1, null)).isEqualTo(2);
        }
    }

    @Test
    void expiredResultIsGoneAtOnce() {
        try (ResultBackend backend = open()) {
            String id = UUID.randomUUID().toString();
            backend.store(new TaskResult(id, TaskState.SUCCESS, 1, null, List.of(), Instant.now(), Map.of()), Duration.ZERO);

            assertThat(backend.get(id)).isEmpty();
        }
    }

    @Test
    void resultsSurviveClosingAndReopeningTheDatabase() {
        String id = UUID.randomUUID().toString();
        try (ResultBackend backend = open()) {
            backend.store(new TaskResult(id, TaskState.FAILURE, Map.of("exc_type", "ValueError"), "tb", List.of(),
                    Instant.now(), Map.of()), null);
        }
        try (ResultBackend backend = open()) {
            assertThat(backend.get(id)).map(TaskResult::traceback).contains("tb");
            backend.forget(id);
            assertThat(backend.get(id)).isEmpty();
        }
    }

    @Test
    void closedBackendRefusesWork() {
        ResultBackend backend = open();
        backend.close();
        backend.close();

        assertThatThrownBy(() -> backend.get("x")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void microsecondsConvertBothWaysAroundTheEpoch() {
        for (String at : new String[] {"1969-12-31T23:59:59.999999Z", "1970-01-01T00:00:00Z", "2026-11-25T11:41:32.000001Z"}) {
            Instant instant = Instant.parse(at);
            assertThat(SqlResultBackend.fromMicros(SqlResultBackend.toMicros(instant))).isEqualTo(instant);
        }
    }

    @Test
    void databaseOfAnOlderVersionGainsTheGroupAndChordTablesOnOpen() throws Exception {
        // the schema as it was before groups and chords, with a result stored in it
        try (SqlDatabases databases = new SqlDatabases();
                SqlDatabase old = databases.open(SqlUrl.parse(url(), Map.of()).jdbcUrl())) {
            old.autoCommit(c -> {
                try (Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE celeriac_result (task_id VARCHAR(255) PRIMARY KEY, status VARCHAR(16) "
                            + "NOT NULL, meta VARCHAR NOT NULL, date_done BIGINT, expires_at BIGINT)");
                    s.execute("CREATE INDEX celeriac_result_expires ON celeriac_result (expires_at)");
                    s.execute("CREATE TABLE celeriac_counter (name VARCHAR(255) PRIMARY KEY, "
                            + "counter_value BIGINT NOT NULL, expires_at BIGINT)");
                    s.execute("INSERT INTO celeriac_result VALUES ('old', 'SUCCESS', '{\"result\":7}', NULL, NULL)");
                }
                return null;
            });
        }

        try (ResultBackend backend = open()) {
            backend.saveGroup("g", List.of(List.of("a")), null);
            ChordJoin join = backend.chordJoin().orElseThrow();
            join.begin("c", 1, Duration.ofHours(1));

            assertThat(backend.get("old")).map(TaskResult::result).contains(7);
            assertThat(backend.restoreGroup("g")).contains(List.of(List.of("a")));
            assertThat(join.memberDone("c", 0, success("t", 1), Duration.ofHours(1))).isPresent();
        }
    }

    @Test
    void expiredGroupIsGoneAtOnce() {
        try (ResultBackend backend = open()) {
            String group = UUID.randomUUID().toString();
            backend.saveGroup(group, List.of(), Duration.ZERO);

            assertThat(backend.restoreGroup(group)).isEmpty();
        }
    }

    @Test
    void expiredChordTakesNoMembersAndIsBegunAfresh() {
        try (ResultBackend backend = open()) {
            ChordJoin join = backend.chordJoin().orElseThrow();
            String group = UUID.randomUUID().toString();
            join.begin(group, 2, Duration.ZERO);
            assertThat(join.memberDone(group, 0, success("a", 1), Duration.ofHours(1))).isEmpty();

            join.begin(group, 1, Duration.ofHours(1));

            assertThat(join.memberDone(group, 0, success("b", 2), Duration.ofHours(1)))
                    .hasValueSatisfying(all -> assertThat(all).extracting(TaskResult::taskId).containsExactly("b"));
        }
    }

    @Test
    void chordOutcomesKeepJsonNullsAndNumbers() {
        try (ResultBackend backend = open()) {
            ChordJoin join = backend.chordJoin().orElseThrow();
            String group = UUID.randomUUID().toString();
            join.begin(group, 3, null);
            join.memberDone(group, 0, success("a", null), null);
            join.memberDone(group, 1, success("b", 12345678901L), null);

            List<TaskResult> all = join.memberDone(group, 2, success("c", 2.5), null).orElseThrow();

            assertThat(all).extracting(TaskResult::result).containsExactly(null, 12345678901L, 2.5);
            assertThat(join.end(group)).isTrue();
        }
    }

    @Test
    void memberOutsideTheHeaderIsIgnored() {
        try (ResultBackend backend = open()) {
            ChordJoin join = backend.chordJoin().orElseThrow();
            String group = UUID.randomUUID().toString();
            join.begin(group, 1, Duration.ofHours(1));

            assertThat(join.memberDone(group, 1, success("x", 1), Duration.ofHours(1))).isEmpty();
            assertThat(join.memberDone(group, 0, success("a", 1), Duration.ofHours(1))).isPresent();
        }
    }
}
