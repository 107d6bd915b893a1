package org.celeriac.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlDatabasesTest {

    @TempDir
    Path dir;

    private String url(String name) {
        return SqlUrl.parse("sql:file:" + dir.resolve(name), null).jdbcUrl();
    }

    @Test
    void handlesOnOneUrlSharePoolUntilTheLastCloses() throws Exception {
        SqlDatabases databases = new SqlDatabases();
        SqlDatabase first = databases.open(url("shared"));
        SqlDatabase second = databases.open(url("shared"));
        first.ensureSchema("t", List.of("CREATE TABLE IF NOT EXISTS t (k VARCHAR(10) PRIMARY KEY)"));

        first.close();
        first.close();

        assertThat(second.signal("x")).isSameAs(second.signal("x"));
        int inserted = second.autoCommit(c -> {
            try (Statement s = c.createStatement()) {
                return s.executeUpdate("INSERT INTO t VALUES ('a')");
            }
        });
        assertThat(inserted).isEqualTo(1);
        second.close();
        try (SqlDatabase again = databases.open(url("shared"))) {
            assertThat(count(again, "t")).isEqualTo(1);
        }
    }

    @Test
    void closingTheOwnerClosesPoolsStillInUseAndLaterOpensStartAfresh() throws Exception {
        SqlDatabases databases = new SqlDatabases();
        SqlDatabase held = databases.open(url("owner"));
        held.ensureSchema("o", List.of("CREATE TABLE IF NOT EXISTS o (k VARCHAR(10) PRIMARY KEY)"));

        databases.close();

        assertThat(databases.openPools()).isZero();
        assertThatThrownBy(() -> count(held, "o")).isInstanceOf(java.sql.SQLException.class);
        held.close(); // releasing a handle of a closed pool does nothing
        try (SqlDatabase again = databases.open(url("owner"))) {
            assertThat(count(again, "o")).isZero();
            assertThat(databases.openPools()).isEqualTo(1);
        }
        assertThat(databases.openPools()).isZero();
    }

    @Test
    void schemaStatementsMayRunAgainFromAnotherOwner() throws Exception {
        List<String> ddl = List.of("CREATE TABLE IF NOT EXISTS s (k VARCHAR(10) PRIMARY KEY, v BYTEA)",
                "CREATE INDEX IF NOT EXISTS s_v ON s (k DESC)");
        try (SqlDatabase a = new SqlDatabases().open(url("schema"));
                SqlDatabase b = new SqlDatabases().open(url("schema"))) {
            a.ensureSchema("s", ddl);
            b.ensureSchema("s", ddl);
            b.ensureSchema("s", ddl);
            assertThat(count(a, "s")).isZero();
        }
    }

    @Test
    void upsertInsertsThenReplaces() throws Exception {
        try (SqlDatabase db = new SqlDatabases().open(url("upsert"))) {
            db.ensureSchema("u", List.of("CREATE TABLE IF NOT EXISTS u (k VARCHAR(10) PRIMARY KEY, v VARCHAR, n BIGINT)"));
            String sql = db.dialect().upsert("u", List.of("k"), List.of("k", "v", "n"), List.of("?", "?", db.dialect().nowMillis()));
            for (String v : new String[] {"one", "two"}) {
                db.autoCommit(c -> {
                    try (PreparedStatement ps = c.prepareStatement(sql)) {
                        ps.setString(1, "key");
                        ps.setString(2, v);
                        return ps.executeUpdate();
                    }
                });
            }
            String value = db.autoCommit(c -> {
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v, n FROM u")) {
                    rs.next();
                    assertThat(rs.getLong(2)).isPositive();
                    return rs.getString(1);
                }
            });
            assertThat(value).isEqualTo("two");
            assertThat(count(db, "u")).isEqualTo(1);
        }
    }

    @Test
    void embeddedServerAnnouncesTheLoopbackAddress() throws Exception {
        try (SqlDatabase db = new SqlDatabases().open(url("served"))) {
            db.autoCommit(c -> c.isValid(1));

            assertThat(System.getProperty("h2.bindAddress")).isEqualTo("127.0.0.1");
            assertThat(org.h2.engine.SysProperties.BIND_ADDRESS).isEqualTo("127.0.0.1");
            String lock = Files.readString(dir.resolve("served.lock.db"), StandardCharsets.ISO_8859_1);
            // H2 writes 127.0.0.1 as "localhost"
            assertThat(lock).containsPattern("server=(localhost|127\\.0\\.0\\.1)\\\\?:\\d+");
        }
    }

    @Test
    void postgresDialectSpellsUpsertAsOnConflict() {
        assertThat(Dialect.POSTGRESQL.upsert("r", List.of("id"), List.of("id", "a"), List.of("?", "?")))
                .isEqualTo("INSERT INTO r (id, a) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET a = EXCLUDED.a");
        assertThat(Dialect.H2.upsert("r", List.of("id"), List.of("id", "a"), List.of("?", "?")))
                .isEqualTo("MERGE INTO r (id, a) KEY (id) VALUES (?, ?)");
    }

    private static long count(SqlDatabase db, String table) throws Exception {
        return db.autoCommit(c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Test
    void aFailureCausedByTheFileSystemIsToldByItsReasonFirst() {
        SQLException h2 = new SQLException("General error: MVStoreException: Writing to FileChannel failed",
                new IllegalStateException("store", new IOException("No space left on device")));

        assertThat(SqlDatabase.reason(h2)).startsWith("No space left on device (the database's files cannot be")
                .contains("Writing to FileChannel failed");
        assertThat(SqlDatabase.reason(new SQLException("Table T not found"))).isEqualTo("Table T not found");
    }

    @Test
    void aWritableDatabaseHasNoReasonToBeUnwritable() throws Exception {
        SqlDatabases databases = new SqlDatabases();
        try (SqlDatabase db = databases.open(url("writable"))) {
            db.ensureSchema("t", List.of("CREATE TABLE IF NOT EXISTS t (k INT)"));
        }
        assertThat(SqlDatabases.unwritable(url("writable"))).isNull();
        assertThat(SqlDatabases.unwritable("jdbc:postgresql://127.0.0.1/x")).isNull();
    }
}
