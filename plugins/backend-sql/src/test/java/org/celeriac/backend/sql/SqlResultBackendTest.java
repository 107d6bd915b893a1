package org.celeriac.backend.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.UUID;

import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.ResultBackendFactory;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the SQL result backend does beyond the contract. */
@Timeout(60)
class SqlResultBackendTest {

    @TempDir
    Path dir;

    private ResultBackend open() {
        return new SqlResultBackendFactory().open("sql:file:" + dir.resolve("results"), Map.of());
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
}
