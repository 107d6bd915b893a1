package org.celeriac.backend.sql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.celeriac.spi.backend.ChordJoin;
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
 * are rows of {@code celeriac_counter}, saved groups rows of {@code celeriac_group}, and chords being joined
 * rows of {@code celeriac_chord} with their members' outcomes in {@code celeriac_chord_member} (see
 * {@link SqlChordJoin}). Expired rows are invisible at once and deleted now and then. Database failures surface
 * as {@link BackendException}.
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
                    + "expires_at BIGINT)",
            // Tables added later are only ever appended here: CREATE ... IF NOT EXISTS runs on every open, so a
            // database made by an older version gains them then.
            "CREATE TABLE IF NOT EXISTS celeriac_group ("
                    + "group_id VARCHAR(255) PRIMARY KEY, "
                    + "members VARCHAR NOT NULL, "
                    + "expires_at BIGINT)",
            "CREATE INDEX IF NOT EXISTS celeriac_group_expires ON celeriac_group (expires_at)",
            "CREATE TABLE IF NOT EXISTS celeriac_chord ("
                    + "group_id VARCHAR(255) PRIMARY KEY, "
                    + "chord_size INT NOT NULL, "
                    + "expires_at BIGINT)",
            "CREATE INDEX IF NOT EXISTS celeriac_chord_expires ON celeriac_chord (expires_at)",
            // No expiry of their own: members live as long as their chord's row (deleted with it).
            "CREATE TABLE IF NOT EXISTS celeriac_chord_member ("
                    + "group_id VARCHAR(255) NOT NULL, "
                    + "member_index INT NOT NULL, "
                    + "task_id VARCHAR(255) NOT NULL, "
                    + "status VARCHAR(16) NOT NULL, "
                    + "result_json VARCHAR, "
                    + "PRIMARY KEY (group_id, member_index))");

    /** The tables whose rows carry {@code expires_at}; chord members go with their chord's row. */
    private static final List<String> EXPIRING_TABLES =
            List.of("celeriac_result", "celeriac_counter", "celeriac_group", "celeriac_chord");
    private static final long MAX_AWAIT_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final long CLEANUP_EVERY_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** Tries for a write that lost a race (a concurrent first insert of the same key). */
    private static final int ATTEMPTS = 10;

    private final SqlDatabase db;
    private final String now;
    private final String upsert;
    private final String upsertGroup;
    private final String upsertMember;
    private final Signal stored;
    private final ChordJoin join = new SqlChordJoin();
    private final AtomicLong lastCleanup = new AtomicLong(System.nanoTime());
    private volatile boolean closed;

    SqlResultBackend(SqlDatabase db) {
        this.db = db;
        this.now = db.dialect().nowMillis();
        this.upsert = db.dialect().upsert("celeriac_result", List.of("task_id"),
                List.of("task_id", "status", "meta", "date_done", "expires_at"),
                List.of("?", "?", "?", "?", now + " + CAST(? AS BIGINT)"));
        this.upsertGroup = db.dialect().upsert("celeriac_group", List.of("group_id"),
                List.of("group_id", "members", "expires_at"), List.of("?", "?", now + " + CAST(? AS BIGINT)"));
        this.upsertMember = db.dialect().upsert("celeriac_chord_member", List.of("group_id", "member_index"),
                List.of("group_id", "member_index", "task_id", "status", "result_json"),
                List.of("?", "?", "?", "?", "?"));
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
    public void saveGroup(String groupId, List<Object> members, Duration ttl) {
        String json = Json.write(members);
        writeWithRetry("save group " + groupId, c -> {
            try (PreparedStatement ps = c.prepareStatement(upsertGroup)) {
                ps.setString(1, groupId);
                ps.setString(2, json);
                setLongOrNull(ps, 3, ttl == null ? null : ttl.toMillis());
                return ps.executeUpdate();
            }
        });
        cleanUp();
    }

    @Override
    public Optional<List<Object>> restoreGroup(String groupId) {
        return read("restore group " + groupId, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT members FROM celeriac_group "
                    + "WHERE group_id = ? AND (expires_at IS NULL OR expires_at > " + now + ")")) {
                ps.setString(1, groupId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    // not List.copyOf: members hold nulls (no parent, no children)
                    return Optional.of(Collections.unmodifiableList(asList(Json.read(rs.getString(1)))));
                }
            }
        });
    }

    @Override
    public void forgetGroup(String groupId) {
        read("forget group " + groupId, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM celeriac_group WHERE group_id = ?")) {
                ps.setString(1, groupId);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Optional<ChordJoin> chordJoin() {
        return Optional.of(join);
    }

    /**
     * Joins chords in two tables rather than with {@link #increment} and stored results: the chord's row holds the
     * header size and is the lock that serialises its members ({@code SELECT ... FOR UPDATE} works alike on H2 and
     * PostgreSQL), and each member's outcome is a row keyed by its header index, so a redelivered member replaces
     * its outcome instead of being counted twice, and the last member reads every outcome in header order inside
     * the transaction in which it completed the count: exactly one of racing members sees the count full.
     */
    private final class SqlChordJoin implements ChordJoin {

        /** Inserts the chord's row unless a live one exists; an expired one is replaced, with its outcomes. */
        @Override
        public void begin(String groupId, int size, Duration ttl) {
            writeWithRetry("begin chord " + groupId, c -> {
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM celeriac_chord "
                        + "WHERE group_id = ? AND expires_at <= " + now)) {
                    ps.setString(1, groupId);
                    if (ps.executeUpdate() > 0) {
                        deleteMembers(c, groupId);
                    }
                }
                // Portable insert-if-absent (H2 knows no ON CONFLICT DO NOTHING): two racing begins make one
                // fail on the key, and its retry finds the row.
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO celeriac_chord "
                        + "(group_id, chord_size, expires_at) "
                        + "SELECT CAST(? AS VARCHAR(255)), CAST(? AS INT), " + now + " + CAST(? AS BIGINT) "
                        + "WHERE NOT EXISTS (SELECT 1 FROM celeriac_chord WHERE group_id = ?)")) {
                    ps.setString(1, groupId);
                    ps.setInt(2, size);
                    setLongOrNull(ps, 3, ttl == null ? null : ttl.toMillis());
                    ps.setString(4, groupId);
                    return ps.executeUpdate();
                }
            });
            cleanUp();
        }

        /**
         * One transaction under the chord row's lock: record the outcome, prolong the chord by {@code ttl} (as
         * Celery's Redis backend re-expires its chord keys on each member), count, and read all when complete.
         */
        @Override
        public Optional<List<TaskResult>> memberDone(String groupId, int index, TaskResult outcome, Duration ttl) {
            String json = Json.write(outcome.result());
            return writeWithRetry("record member " + index + " of chord " + groupId, c -> {
                int size;
                try (PreparedStatement ps = c.prepareStatement("SELECT chord_size FROM celeriac_chord "
                        + "WHERE group_id = ? AND (expires_at IS NULL OR expires_at > " + now + ") FOR UPDATE")) {
                    ps.setString(1, groupId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            return Optional.<List<TaskResult>>empty(); // never begun, ended or expired
                        }
                        size = rs.getInt(1);
                    }
                }
                if (index < 0 || index >= size) {
                    LOG.warn("Ignoring member {} of chord {}, whose header has {} members", index, groupId, size);
                    return Optional.<List<TaskResult>>empty();
                }
                try (PreparedStatement ps = c.prepareStatement(upsertMember)) {
                    ps.setString(1, groupId);
                    ps.setInt(2, index);
                    ps.setString(3, outcome.taskId());
                    ps.setString(4, outcome.state().name());
                    ps.setString(5, json);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement("UPDATE celeriac_chord "
                        + "SET expires_at = " + now + " + CAST(? AS BIGINT) WHERE group_id = ?")) {
                    setLongOrNull(ps, 1, ttl == null ? null : ttl.toMillis());
                    ps.setString(2, groupId);
                    ps.executeUpdate();
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT COUNT(*) FROM celeriac_chord_member WHERE group_id = ?")) {
                    ps.setString(1, groupId);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getLong(1) < size) {
                            return Optional.<List<TaskResult>>empty();
                        }
                    }
                }
                List<TaskResult> all = new ArrayList<>(size);
                try (PreparedStatement ps = c.prepareStatement("SELECT task_id, status, result_json "
                        + "FROM celeriac_chord_member WHERE group_id = ? ORDER BY member_index")) {
                    ps.setString(1, groupId);
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            String result = rs.getString(3);
                            all.add(new TaskResult(rs.getString(1), TaskState.valueOf(rs.getString(2)),
                                    result == null ? null : Json.read(result), null, List.of(), null, Map.of()));
                        }
                    }
                }
                return Optional.of(List.copyOf(all));
            });
        }

        /** Deletes the chord's row and its outcomes together; the row's deletion tells who ended it. */
        @Override
        public boolean end(String groupId) {
            return writeWithRetry("end chord " + groupId, c -> {
                int deleted;
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM celeriac_chord WHERE group_id = ?")) {
                    ps.setString(1, groupId);
                    deleted = ps.executeUpdate();
                }
                deleteMembers(c, groupId);
                return deleted > 0;
            });
        }
    }

    private static void deleteMembers(Connection c, String groupId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM celeriac_chord_member WHERE group_id = ?")) {
            ps.setString(1, groupId);
            ps.executeUpdate();
        }
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

    /**
     * Deletes expired results, counters, groups and chords, at most once a minute per backend, then the outcomes
     * of chords whose row is gone. Chord rows go before their members, the order in which joins lock them.
     */
    private void cleanUp() {
        long last = lastCleanup.get();
        if (System.nanoTime() - last < CLEANUP_EVERY_NANOS || !lastCleanup.compareAndSet(last, System.nanoTime())) {
            return;
        }
        try {
            int deleted = db.autoCommit(c -> {
                int n = 0;
                for (String table : EXPIRING_TABLES) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "DELETE FROM " + table + " WHERE expires_at <= " + now)) {
                        n += ps.executeUpdate();
                    }
                }
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM celeriac_chord_member m WHERE NOT EXISTS "
                        + "(SELECT 1 FROM celeriac_chord c WHERE c.group_id = m.group_id)")) {
                    n += ps.executeUpdate();
                }
                return n;
            });
            LOG.debug("Deleted {} expired rows", deleted);
        } catch (SQLException e) {
            LOG.debug("Could not delete expired rows", e);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("The SQL result backend is closed");
        }
    }

    private BackendException failure(String what, SQLException e) {
        return new BackendException("SQL result backend could not " + what + " (" + db + "): "
                + SqlDatabase.reason(e), e);
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
