package org.celeriac.sql;

import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One user's handle on a pooled database, from {@link SqlDatabases#open}. Safe for use by several threads.
 * Closing the handle releases the user's share of the pool.
 */
public final class SqlDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SqlDatabase.class);

    private final SqlDatabases owner;
    private final SqlDatabases.Shared shared;
    private final AtomicBoolean closed = new AtomicBoolean();

    SqlDatabase(SqlDatabases owner, SqlDatabases.Shared shared) {
        this.owner = owner;
        this.shared = shared;
    }

    public Dialect dialect() {
        return shared.dialect;
    }

    /** Runs the work in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T transaction(SqlWork<T> work) throws SQLException {
        try (Connection c = shared.pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    c.rollback();
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                if (e instanceof SQLException) {
                    evictIfBroken(c);
                }
                throw e;
            }
        }
    }

    /** Runs the work on a connection in auto-commit mode. */
    public <T> T autoCommit(SqlWork<T> work) throws SQLException {
        try (Connection c = shared.pool.getConnection()) {
            try {
                return work.run(c);
            } catch (SQLException e) {
                evictIfBroken(c);
                throw e;
            }
        }
    }

    /**
     * Takes a connection that failed out of the pool when it no longer works (its database closed under it), so that
     * the next use opens a new one. The pool does so by itself for network failures only.
     */
    private void evictIfBroken(Connection c) {
        boolean valid;
        try {
            valid = c.isValid(1);
        } catch (SQLException e) {
            valid = false;
        }
        if (!valid) {
            shared.pool.evictConnection(c);
        }
    }

    /**
     * The reason to give for a failure: the driver's message, led by the file system's when that is the cause (a
     * full disk, a read-only directory), which H2 buries under its own.
     */
    public static String reason(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException && t.getMessage() != null) {
                return t.getMessage() + " (the database's files cannot be written): " + e.getMessage();
            }
        }
        if (e.getMessage() != null && e.getMessage().contains("MVStoreException: Writing to")) {
            // from the process serving the file, as text only
            return "the database's files cannot be written (disk full or read-only?): " + e.getMessage();
        }
        return e.getMessage();
    }

    /**
     * Runs DDL statements ({@code CREATE ... IF NOT EXISTS}) once per pool for the given name. A statement
     * that fails is tried once more: PostgreSQL can fail one of two processes creating the same table at once.
     */
    public void ensureSchema(String name, List<String> statements) throws SQLException {
        if (shared.schemas.contains(name)) {
            return;
        }
        synchronized (shared.schemas) {
            if (shared.schemas.contains(name)) {
                return;
            }
            for (String sql : statements) {
                try {
                    execute(sql);
                } catch (SQLException first) {
                    LOG.debug("Schema statement failed, trying once more: {}", first.toString());
                    try {
                        Thread.sleep(200);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw first;
                    }
                    try {
                        execute(sql);
                    } catch (SQLException second) {
                        second.addSuppressed(first);
                        throw second;
                    }
                }
            }
            shared.schemas.add(name);
        }
    }

    private void execute(String sql) throws SQLException {
        autoCommit(c -> {
            try (Statement s = c.createStatement()) {
                s.execute(sql);
            }
            return null;
        });
    }

    /** The signal of this name shared by every handle on this pool. */
    public Signal signal(String name) {
        return shared.signals.computeIfAbsent(name, n -> new Signal());
    }

    /** Releases this handle's share of the pool; further calls do nothing. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            owner.release(shared);
        }
    }

    @Override
    public String toString() {
        return SqlUrl.redact(shared.jdbcUrl);
    }
}
