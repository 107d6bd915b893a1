package org.celeriac.itests;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

import org.junit.jupiter.api.Assumptions;

/**
 * Workers on PostgreSQL (the node of {@code CELERIAC_TEST_POSTGRES_URL}) killed mid-stream, in a database of the
 * test's own, dropped after it. Claimed messages come back after the visibility timeout.
 */
class PostgresWorkerCrashTest extends WorkerCrashContract {

    @Override
    Setup setUp(Path dir) throws Exception {
        String server = System.getenv("CELERIAC_TEST_POSTGRES_URL");
        Assumptions.assumeTrue(server != null && !server.isBlank() || "true".equals(System.getenv("CI")),
                "CELERIAC_TEST_POSTGRES_URL is not set (run-tests sets it)");
        String name = "itest_crash_" + UUID.randomUUID().toString().substring(0, 8).toLowerCase(Locale.ROOT);
        try (Connection c = DriverManager.getConnection(server); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        }
        // jdbc:postgresql://host:port/celeriac?user=... with the test's database in place of the server's
        String jdbc = server.replaceFirst("(//[^/]+/)[^?]*", "$1" + name);
        String sep = jdbc.contains("?") ? "&" : "?";
        return new SqlCrashSetup(jdbc + sep + "visibility_timeout=5", jdbc, jdbc, () -> {
            try (Connection c = DriverManager.getConnection(server); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
            }
        });
    }
}
