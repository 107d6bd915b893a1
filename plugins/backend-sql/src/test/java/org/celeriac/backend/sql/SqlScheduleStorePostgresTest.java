package org.celeriac.backend.sql;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;

import org.celeriac.spi.beat.ScheduleStore;
import org.celeriac.tck.ScheduleStoreContract;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The schedule store contract on the PostgreSQL named by CELERIAC_TEST_POSTGRES_URL; skipped without it. Each test
 * gets a schema of its own ({@code currentSchema}), so that it starts on empty tables.
 */
class SqlScheduleStorePostgresTest extends ScheduleStoreContract {

    private static final String URL = System.getenv("CELERIAC_TEST_POSTGRES_URL");

    private String url;
    private String schema;

    @BeforeAll
    static void requirePostgres() {
        Assumptions.assumeTrue(URL != null && !URL.isBlank(), "CELERIAC_TEST_POSTGRES_URL is not set");
    }

    @Override
    protected ScheduleStore openStore() {
        schema = "beat_" + UUID.randomUUID().toString().replace("-", "");
        try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create the schema " + schema, e);
        }
        url = URL + (URL.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        return new SqlScheduleStoreFactory().open(url, Map.of());
    }

    /** Runs before the contract closes the stores: the drop waits for nothing, as idle connections lock nothing. */
    @AfterEach
    void dropSchema() throws SQLException {
        try (Connection c = DriverManager.getConnection(URL); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Override
    protected ScheduleStore openSecondStore() {
        return new SqlScheduleStoreFactory().open(url, Map.of());
    }
}
