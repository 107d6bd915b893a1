package org.celeriac.itests;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The SQL broker and backend of a {@link WorkerCrashContract} test, counted over JDBC: a connection for each count,
 * so that the test holds none while workers come and go.
 */
class SqlCrashSetup implements WorkerCrashContract.Setup {
    private final String broker;
    private final String backend;
    private final String jdbc;
    private final Cleanup cleanup;

    @FunctionalInterface
    interface Cleanup {
        void run() throws Exception;
    }

    SqlCrashSetup(String broker, String backend, String jdbc, Cleanup cleanup) {
        this.broker = broker;
        this.backend = backend;
        this.jdbc = jdbc;
        this.cleanup = cleanup;
    }

    @Override
    public String broker() {
        return broker;
    }

    @Override
    public String backend() {
        return backend;
    }

    @Override
    public long storedResults() throws SQLException {
        return count("SELECT COUNT(*) FROM celeriac_result", null);
    }

    @Override
    public long leftOnQueue() throws SQLException {
        return count("SELECT COUNT(*) FROM celeriac_message WHERE queue = ?", WorkerCrashContract.queue());
    }

    @Override
    public void close() throws Exception {
        cleanup.run();
    }

    private long count(String sql, String parameter) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbc); PreparedStatement ps = c.prepareStatement(sql)) {
            if (parameter != null) {
                ps.setString(1, parameter);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            if ("42S02".equals(e.getSQLState()) || "42P01".equals(e.getSQLState()) || "42S04".equals(e.getSQLState())) {
                return 0; // no table yet: nothing stored
            }
            throw e;
        }
    }
}
