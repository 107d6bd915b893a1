package org.celeriac.backend.sql;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import org.celeriac.spi.beat.ScheduleStore;
import org.celeriac.spi.beat.ScheduleStoreException;
import org.celeriac.sql.SqlDatabase;
import org.celeriac.sql.SqlWork;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What beats share, in three tables: {@code celeriac_beat_run} (each entry's last tick, epoch microseconds),
 * {@code celeriac_beat_entry} (definitions as JSON text) and {@code celeriac_beat_lease} (one row: holder and
 * expiry, epoch milliseconds by the database's clock, so that beats on hosts with skewed clocks agree).
 *
 * <p>Every operation is one statement, or an UPDATE and an INSERT when the row is missing: the row lock the UPDATE
 * takes, and the primary key the INSERT meets, make each atomic across processes without a transaction around them.
 */
final class SqlScheduleStore implements ScheduleStore {

    private static final Logger LOG = LoggerFactory.getLogger(SqlScheduleStore.class);

    static final List<String> SCHEMA = List.of(
            "CREATE TABLE IF NOT EXISTS celeriac_beat_run ("
                    + "entry VARCHAR(255) PRIMARY KEY, "
                    + "ran_at BIGINT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS celeriac_beat_entry ("
                    + "name VARCHAR(255) PRIMARY KEY, "
                    + "definition VARCHAR NOT NULL)",
            "CREATE TABLE IF NOT EXISTS celeriac_beat_lease ("
                    + "name VARCHAR(64) PRIMARY KEY, "
                    + "holder VARCHAR(255) NOT NULL, "
                    + "expires_at BIGINT NOT NULL)");

    /** The lease's row: there is one leader per database. */
    private static final String LEASE = "beat";
    /** Tries for a statement that lost a race (H2 reports some as errors where PostgreSQL waits). */
    private static final int ATTEMPTS = 10;

    private final SqlDatabase db;
    private final String now;
    private final String upsertEntry;
    private volatile boolean closed;

    SqlScheduleStore(SqlDatabase db) {
        this.db = db;
        this.now = db.dialect().nowMillis();
        this.upsertEntry = db.dialect().upsert("celeriac_beat_entry", List.of("name"), List.of("name", "definition"),
                List.of("?", "?"));
    }

    @Override
    public Map<String, Instant> lastRuns() {
        return run("read the last runs", c -> {
            Map<String, Instant> runs = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT entry, ran_at FROM celeriac_beat_run ORDER BY entry");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    runs.put(rs.getString(1), SqlResultBackend.fromMicros(rs.getLong(2)));
                }
            }
            return runs;
        });
    }

    /** Raises a stored earlier tick, else inserts; an insert that meets a concurrent one retries as the raise. */
    @Override
    public void recordRun(String entry, Instant at) {
        long micros = SqlResultBackend.toMicros(at);
        run("record the run of " + entry, c -> {
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE celeriac_beat_run SET ran_at = ? WHERE entry = ? AND ran_at < ?")) {
                update.setLong(1, micros);
                update.setString(2, entry);
                update.setLong(3, micros);
                if (update.executeUpdate() > 0) {
                    return null;
                }
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO celeriac_beat_run (entry, ran_at) SELECT ?, ? WHERE NOT EXISTS "
                            + "(SELECT 1 FROM celeriac_beat_run WHERE entry = ?)")) {
                insert.setString(1, entry);
                insert.setLong(2, micros);
                insert.setString(3, entry);
                insert.executeUpdate(); // nothing when a later (or the same) tick is stored
            }
            return null;
        });
    }

    @Override
    public void forgetRun(String entry) {
        run("forget the run of " + entry, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM celeriac_beat_run WHERE entry = ?")) {
                ps.setString(1, entry);
                return ps.executeUpdate();
            }
        });
    }

    /**
     * Takes over a lease that is the holder's own or expired by the database's clock, in one UPDATE (PostgreSQL
     * re-checks its WHERE after waiting for a concurrent one, so only one of two racing beats matches); inserts the
     * row when there is none yet. Two first inserts racing: the loser's retry runs the UPDATE again, and loses.
     */
    @Override
    public boolean acquireLease(String holder, Duration ttl) {
        long ttlMillis = Math.max(0, ttl.toMillis());
        return run("take the lease for " + holder, c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE celeriac_beat_lease SET holder = ?, "
                    + "expires_at = " + now + " + CAST(? AS BIGINT) "
                    + "WHERE name = ? AND (holder = ? OR expires_at <= " + now + ")")) {
                update.setString(1, holder);
                update.setLong(2, ttlMillis);
                update.setString(3, LEASE);
                update.setString(4, holder);
                if (update.executeUpdate() > 0) {
                    return true;
                }
            }
            try (PreparedStatement exists = c.prepareStatement("SELECT 1 FROM celeriac_beat_lease WHERE name = ?")) {
                exists.setString(1, LEASE);
                try (ResultSet rs = exists.executeQuery()) {
                    if (rs.next()) {
                        return false; // another's, unexpired
                    }
                }
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO celeriac_beat_lease (name, holder, expires_at) "
                    + "VALUES (?, ?, " + now + " + CAST(? AS BIGINT))")) {
                insert.setString(1, LEASE);
                insert.setString(2, holder);
                insert.setLong(3, ttlMillis);
                return insert.executeUpdate() > 0;
            }
        });
    }

    @Override
    public void releaseLease(String holder) {
        run("release the lease of " + holder, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "DELETE FROM celeriac_beat_lease WHERE name = ? AND holder = ?")) {
                ps.setString(1, LEASE);
                ps.setString(2, holder);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public Optional<String> leaseHolder() {
        return run("read the lease holder", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT holder FROM celeriac_beat_lease WHERE name = ? AND expires_at > " + now)) {
                ps.setString(1, LEASE);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public Map<String, String> entries() {
        return run("read the entries", c -> {
            Map<String, String> entries = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT name, definition FROM celeriac_beat_entry ORDER BY name");
                 ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    entries.put(rs.getString(1), rs.getString(2));
                }
            }
            return entries;
        });
    }

    @Override
    public void putEntry(String name, String definitionJson) {
        run("put the entry " + name, c -> {
            try (PreparedStatement ps = c.prepareStatement(upsertEntry)) {
                ps.setString(1, name);
                ps.setString(2, definitionJson);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public boolean removeEntry(String name) {
        return run("remove the entry " + name, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM celeriac_beat_entry WHERE name = ?")) {
                ps.setString(1, name);
                return ps.executeUpdate() > 0;
            }
        });
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            db.close();
        }
    }

    @Override
    public String toString() {
        return "SQL schedule store on " + db;
    }

    /** Runs the work in auto-commit mode, each statement on its own; again when it lost a race. */
    private <T> T run(String what, SqlWork<T> work) {
        if (closed) {
            throw new IllegalStateException("The SQL schedule store is closed");
        }
        for (int attempt = 1;; attempt++) {
            try {
                return db.autoCommit(work);
            } catch (SQLException e) {
                if (attempt >= ATTEMPTS || !db.dialect().isRetryable(e)) {
                    throw new ScheduleStoreException("SQL schedule store could not " + what + " (" + db + "): "
                            + e.getMessage(), e);
                }
                LOG.debug("Retrying to {} after {}", what, e.toString());
                try {
                    Thread.sleep(ThreadLocalRandom.current().nextInt(1, 5 * attempt + 1));
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new ScheduleStoreException("Interrupted while trying to " + what, e);
                }
            }
        }
    }
}
