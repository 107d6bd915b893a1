package org.celeriac.sql;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

/**
 * The connection pools one owner (a transport or backend factory) has open, one per JDBC URL: everything
 * it opens on the same URL shares a pool, which closes when the last of them is closed. There is no
 * JVM-wide registry on purpose; the owner decides how far sharing goes. {@link #close()} closes whatever is
 * still open when the owner itself goes away (an OSGi component deactivated).
 */
public final class SqlDatabases implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SqlDatabases.class);
    private static final String H2_BIND_ADDRESS = "h2.bindAddress";

    private final Map<String, Shared> open = new HashMap<>(); // guarded by this
    private final AtomicInteger poolNumber = new AtomicInteger();

    /**
     * Opens (or joins) the pool for a JDBC URL; close the returned handle when done.
     *
     * @throws SQLException when the database cannot be reached
     */
    public synchronized SqlDatabase open(String jdbcUrl) throws SQLException {
        Shared shared = open.get(jdbcUrl);
        if (shared == null) {
            shared = new Shared(jdbcUrl, createPool(jdbcUrl));
            open.put(jdbcUrl, shared);
        }
        shared.references++;
        return new SqlDatabase(this, shared);
    }

    synchronized void release(Shared shared) {
        if (--shared.references > 0 || open.get(shared.jdbcUrl) != shared) {
            return; // still in use, or closed already by close()
        }
        open.remove(shared.jdbcUrl, shared);
        shared.pool.close();
        LOG.debug("Closed the pool for {}", SqlUrl.redact(shared.jdbcUrl));
    }

    /**
     * Closes every pool still open, handles or not: handles still held fail on their next use. Opening again
     * afterwards creates new pools.
     */
    @Override
    public synchronized void close() {
        List<Shared> left = List.copyOf(open.values());
        open.clear();
        for (Shared shared : left) {
            LOG.warn("Closing the pool for {} with {} handle(s) still open", SqlUrl.redact(shared.jdbcUrl),
                    shared.references);
            try {
                shared.pool.close();
            } catch (RuntimeException e) {
                LOG.warn("Cannot close the pool for {}: {}", SqlUrl.redact(shared.jdbcUrl), e.toString());
            }
        }
    }

    /** How many pools are open. */
    synchronized int openPools() {
        return open.size();
    }

    private HikariDataSource createPool(String jdbcUrl) throws SQLException {
        Dialect dialect = Dialect.of(jdbcUrl);
        if (dialect == Dialect.H2 && System.getProperty(H2_BIND_ADDRESS) == null) {
            // H2's AUTO_SERVER publishes this host's address in the lock file for other processes; only
            // loopback is reachable here (and the server should not listen further anyway). H2 reads the
            // property once, so it must be set before its first connection.
            System.setProperty(H2_BIND_ADDRESS, "127.0.0.1");
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("celeriac-sql-" + poolNumber.incrementAndGet());
        config.setDataSource(new DriverDataSource(DriverDataSource.driverFor(dialect, jdbcUrl), jdbcUrl));
        config.setMaximumPoolSize(10);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(10_000);
        if (dialect == Dialect.H2) {
            // A process that served the embedded database (AUTO_SERVER) and just exited leaves its lock file
            // "recently modified" for a moment: the next one to open it keeps trying rather than failing at once.
            config.setInitializationFailTimeout(10_000);
        }
        try {
            HikariDataSource pool = new HikariDataSource(config);
            LOG.debug("Opened pool {} for {}", config.getPoolName(), SqlUrl.redact(jdbcUrl));
            return pool;
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            String unwritable = dialect == Dialect.H2 ? unwritable(jdbcUrl) : null;
            throw new SQLException("Cannot connect to " + SqlUrl.redact(jdbcUrl) + ": "
                    + (unwritable != null ? unwritable + " (" + cause.getMessage() + ")" : cause.getMessage()), e);
        }
    }

    /**
     * Why an H2 file database cannot be written, or null: H2 opens a read-only one read-only, and then refuses the
     * embedded server with a message ("AUTO_SERVER=TRUE && (readOnly ...)") that does not say which file or why.
     */
    static String unwritable(String jdbcUrl) {
        Path database = SqlUrl.h2Database(jdbcUrl);
        if (database == null) {
            return null;
        }
        Path file = database.resolveSibling(database.getFileName() + ".mv.db");
        Path dir = database.getParent();
        if (Files.exists(file) && !Files.isWritable(file)) {
            return "the database file " + file + " is read-only";
        }
        if (dir != null && Files.isDirectory(dir) && !Files.isWritable(dir)) {
            return "the data directory " + dir + " is read-only";
        }
        return null;
    }

    /** What the handles on one URL share. */
    static final class Shared {
        final String jdbcUrl;
        final Dialect dialect;
        final HikariDataSource pool;
        final Set<String> schemas = ConcurrentHashMap.newKeySet();
        final Map<String, Signal> signals = new ConcurrentHashMap<>();
        int references; // guarded by the owning SqlDatabases

        Shared(String jdbcUrl, HikariDataSource pool) {
            this.jdbcUrl = jdbcUrl;
            this.dialect = Dialect.of(jdbcUrl);
            this.pool = pool;
        }
    }
}
