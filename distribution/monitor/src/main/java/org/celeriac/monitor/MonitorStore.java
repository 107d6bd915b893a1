package org.celeriac.monitor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.celeriac.sql.Json;
import org.celeriac.sql.SqlDatabase;
import org.celeriac.sql.SqlDatabases;

/**
 * Where a persistent monitor keeps its {@link StateSnapshot}: an embedded H2 file database, pooled as the SQL
 * plugins pool theirs ({@link SqlDatabases}). One row per task and per worker, JSON; each save replaces the previous
 * one in one transaction, so a crash leaves the last whole save.
 */
final class MonitorStore implements AutoCloseable {
    private static final List<String> SCHEMA = List.of(
            "CREATE TABLE IF NOT EXISTS celeriac_monitor_task (position BIGINT PRIMARY KEY, fields CLOB NOT NULL)",
            "CREATE TABLE IF NOT EXISTS celeriac_monitor_worker (position BIGINT PRIMARY KEY, fields CLOB NOT NULL)");
    private static final int BATCH = 500;

    private final SqlDatabases databases;
    private final SqlDatabase database;

    private MonitorStore(SqlDatabases databases, SqlDatabase database) {
        this.databases = databases;
        this.database = database;
    }

    /**
     * @param file the database's path without H2's {@code .mv.db}
     * @throws SQLException when it cannot be opened (another process holds it without serving it, a bad path)
     */
    static MonitorStore open(Path file) throws SQLException {
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new SQLException("cannot create the directory of " + file + ": " + e.getMessage(), e);
        }
        SqlDatabases databases = new SqlDatabases();
        try {
            SqlDatabase database = databases.open(jdbcUrl(file));
            database.ensureSchema("celeriac-monitor", SCHEMA);
            return new MonitorStore(databases, database);
        } catch (SQLException | RuntimeException e) {
            databases.close();
            throw e;
        }
    }

    /**
     * H2's URL for the file. Unlike the SQL transport's {@code sql:file:}, without {@code AUTO_SERVER}: the state is
     * this monitor's alone, so no server is started for other processes (a second monitor on the same file is
     * refused); and with {@code DB_CLOSE_ON_EXIT=FALSE}, so that the last save at Ctrl-C finds it still open.
     */
    static String jdbcUrl(Path file) {
        String path = file.toAbsolutePath().normalize().toString();
        if (path.contains(";")) {
            throw new IllegalArgumentException("the monitor's database path may not contain ';': " + path);
        }
        return "jdbc:h2:file:" + path + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
    }

    /** The last save, empty when there was none. */
    StateSnapshot load() throws SQLException {
        return database.transaction(c -> new StateSnapshot(read(c, "celeriac_monitor_task"),
                read(c, "celeriac_monitor_worker")));
    }

    /** Replaces the last save with this one. */
    void save(StateSnapshot snapshot) throws SQLException {
        database.transaction(c -> {
            try (Statement s = c.createStatement()) {
                s.executeUpdate("DELETE FROM celeriac_monitor_task");
                s.executeUpdate("DELETE FROM celeriac_monitor_worker");
            }
            write(c, "celeriac_monitor_task", snapshot.tasks());
            write(c, "celeriac_monitor_worker", snapshot.workers());
            return null;
        });
    }

    private static List<Map<String, Object>> read(Connection c, String table) throws SQLException {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet r = s.executeQuery("SELECT fields FROM " + table + " ORDER BY position")) {
            while (r.next()) {
                rows.add(Json.readMap(r.getString(1)));
            }
        }
        return rows;
    }

    private static void write(Connection c, String table, List<Map<String, Object>> rows) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO " + table + " (position, fields) VALUES (?, ?)")) {
            long position = 0;
            for (Map<String, Object> row : rows) {
                insert.setLong(1, position++);
                insert.setString(2, Json.write(row));
                insert.addBatch();
                if (position % BATCH == 0) {
                    insert.executeBatch();
                }
            }
            insert.executeBatch();
        }
    }

    @Override
    public void close() {
        database.close();
        databases.close();
    }
}
