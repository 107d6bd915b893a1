package org.celeriac.backend.sql;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.TaskResult;
import org.celeriac.spi.backend.TaskState;
import org.celeriac.spi.backend.BackendException;
import org.celeriac.sql.Json;
import org.celeriac.sql.Signal;
import org.celeriac.sql.SqlDatabase;
import org.celeriac.sql.SqlWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Results in {@code celeriac_result}, one row per task: the state, the rest of Celery's meta as JSON, the
 * completion time in epoch microseconds and an expiry time (epoch millis by the database clock). Counters
 * are rows of {@code celeriac_counter}. Expired rows are invisible at once and deleted now and then.
 * Database failures surface as {@link BackendException}.
 */
final class SqlResultBackend implements ResultBackend {

    private static final Logger LOG = LoggerFactory.getLogger(SqlResultBackend.class);

    static final List<String> SCHEMA = List.of(
            "CREATE TABLE IF NOT EXISTS celeriac_result ("
                    + "task_id VARCHAR(255) PRIMARY KEY, "
                    + "status VARCHAR(16) NOT NULL, "
                    + "meta VARCHAR NOT NULL, "
                    + "date_done BIGINT, "
                    + "expires_at BIGINT)",
            "CREATE INDEX IF NOT EXISTS celeriac_result_expires ON celeriac_result (expires_at)",
            "CREATE TABLE IF NOT EXISTS celeriac_counter ("
                    + "name VARCHAR(255) PRIMARY KEY, "
                    + "counter_value BIGINT NOT NULL, "
                    + "expires_at BIGINT)");

    private static final long MAX_AWAIT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long CLEANUP_EVERY_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** Tries for a write that lost a race (a concurrent first insert of the same key). */
    private static final int ATTEMPTS = 10;

    private final SqlDatabase db;
    private final String now;
    private final String upsert;
    private final Signal stored;
    private final AtomicLong lastCleanup = new AtomicLong(System.nanoTime());
    private volatile boolean closed;

    SqlResultBackend(SqlDatabase db) {
        this.db = db;
        this.now = db.dialect().nowMillis();
        this.upsert = db.dialect().upsert("celeriac_result", List.of("task_id"),
                List.of("task_id", "status", "meta", "date_done", "expires_at"),
                List.of("?", "?", "?", "?", now + " + CAST(? AS BIGINT)"));
        this.stored = db.signal("celeriac_result");
    }

    @Override
    public void store(TaskResult result, Duration ttl) {
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("result", result.result());
        meta.put("traceback", result.traceback());
        meta.put("children", result.children());
        meta.put("extended", result.extended());
        String json = Json.write(meta);
        writeWithRetry("store the result of " + result.taskId(), c -> {
            try (PreparedStatement ps = c.prepareStatement(upsert)) {
                ps.setString(1, result.taskId());
                ps.setString(2, result.state().name());
                ps.setString(3, json);
                setLongOrNull(ps, 4, result.dateDone() == null ? null : toMicros(result.dateDone()));
                setLongOrNull(ps, 5, ttl == null ? null : ttl.toMillis());
                return ps.executeUpdate();
            }
        });
        stored.fire();
        cleanUp();
    }

    @Override
    public Optional<TaskResult> get(String taskId) {
        return read("read the result of " + taskId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT status, meta, date_done FROM celeriac_result "
                    + "WHERE task_id = ? AND (expires_at IS NULL OR expires_at > " + now + ")")) {
                ps.setString(1, taskId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    TaskState state = TaskState.valueOf(rs.getString(1));
                    Map<String, Object> meta = Json.readMap(rs.getString(2));
                    long micros = rs.getLong(3);
                    Instant done = rs.wasNull() ? null : fromMicros(micros);
                    return Optional.of(new TaskResult(taskId, state, meta.get("result"),
                            (String) meta.get("traceback"), asList(meta.get("children")), done,
                            asMap(meta.get("extended"))));
                }
            }
        });
    }

    /** Polls with a back-off capped at 20 ms, and wakes at once when this JVM stores a result. */
    @Override
    public Optional<TaskResult> await(String taskId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pause = TimeUnit.MILLISECONDS.toNanos(1);
        while (true) {
            long seen = stored.version();
            Optional<TaskResult> result = get(taskId);
            if (result.isPresent() && result.get().state().isReady()) {
                return result;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            stored.await(seen, Math.min(pause, left));
            pause = Math.min(pause * 2, MAX_AWAIT_PAUSE_NANOS);
        }
    }

    @Override
    public void forget(String taskId) {
        read("forget " + taskId, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM celeriac_result WHERE task_id = ?")) {
                ps.setString(1, taskId);
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Update first (the row lock serialises concurrent increments), insert when there is no row, and read
     * the value back in the same transaction. Two first increments racing: one insert fails on the key
     * and is retried as an update. An expired counter starts again from zero.
     */
    @Override
    public long increment(String key, long delta, Duration ttl) {
        Long ttlMillis = ttl == null ? null : ttl.toMillis();
        long value = writeWithRetry("increment " + key, c -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE celeriac_counter SET counter_value = CASE "
                    + "WHEN expires_at IS NOT NULL AND expires_at <= " + now + " THEN CAST(? AS BIGINT) "
                    + "ELSE counter_value + CAST(? AS BIGINT) END, expires_at = " + now + " + CAST(? AS BIGINT) "
                    + "WHERE name = ?")) {
                ps.setLong(1, delta);
                ps.setLong(2, delta);
                setLongOrNull(ps, 3, ttlMillis);
                ps.setString(4, key);
                if (ps.executeUpdate() == 0) {
                    try (PreparedStatement insert = c.prepareStatement("INSERT INTO celeriac_counter "
                            + "(name, counter_value, expires_at) VALUES (?, ?, " + now + " + CAST(? AS BIGINT))")) {
                        insert.setString(1, key);
                        insert.setLong(2, delta);
                        setLongOrNull(insert, 3, ttlMillis);
                        insert.executeUpdate();
                        return delta;
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT counter_value FROM celeriac_counter WHERE name = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
        cleanUp();
        return value;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            db.close();
        }
    }

    private <T> T read(String what, SqlWork<T> work) {
        ensureOpen();
        try {
            return db.autoCommit(work);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    private <T> T writeWithRetry(String what, SqlWork<T> work) {
        ensureOpen();
        for (int attempt = 1;; attempt++) {
            try {
                return db.transaction(work);
            } catch (SQLException e) {
                if (attempt >= ATTEMPTS || !db.dialect().isRetryable(e)) {
                    throw failure(what, e);
                }
                LOG.debug("Retrying to {} after {}", what, e.toString());
                try {
                    Thread.sleep(ThreadLocalRandom.current().nextInt(1, 5 * attempt + 1));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw failure(what, e);
                }
            }
        }
    }

    /** Deletes expired results and counters, at most once a minute per backend. */
    private void cleanUp() {
        long last = lastCleanup.get();
        if (System.nanoTime() - last < CLEANUP_EVERY_NANOS || !lastCleanup.compareAndSet(last, System.nanoTime())) {
            return;
        }
        try {
            int deleted = db.autoCommit(c -> {
                int n = 0;
                for (String table : List.of("celeriac_result", "celeriac_counter")) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "DELETE FROM " + table + " WHERE expires_at <= " + now)) {
                        n += ps.executeUpdate();
                    }
                }
                return n;
            });
            LOG.debug("Deleted {} expired results and counters", deleted);
        } catch (SQLException e) {
            LOG.debug("Could not delete expired results", e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("The SQL result backend is closed");
        }
    }

    private BackendException failure(String what, SQLException e) {
        return new BackendException("SQL result backend could not " + what + " (" + db + "): " + e.getMessage(), e);
    }

    private static void setLongOrNull(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }

    static long toMicros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    static Instant fromMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> asList(Object value) {
        return value instanceof List ? (List<Object>) value : List.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> asMap(Object value) {
        return value instanceof Map ? (Map<String, Object>) value : Map.of();
    }
}
