package org.celeriac.sql;

import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The databases supported and the little SQL in which they differ. Everything else (identity columns,
 * {@code BYTEA}, {@code CREATE ... IF NOT EXISTS}, {@code LIMIT}, {@code FOR UPDATE SKIP LOCKED}) is
 * written once for both: H2 2.x accepts PostgreSQL's spelling of them.
 */
public enum Dialect {
    H2, POSTGRESQL;

    /** The dialect of a JDBC URL. @throws IllegalArgumentException for another database */
    static Dialect of(String jdbcUrl) {
        String lower = jdbcUrl.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (lower.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException("Unsupported database (H2 and PostgreSQL are): " + SqlUrl.redact(jdbcUrl));
    }

    /**
     * An expression for the database's current time in epoch milliseconds. Leases and expiry use the
     * database's clock, not the clients', so that hosts with skewed clocks agree. It is fixed for the
     * length of a transaction in both databases.
     */
    public String nowMillis() {
        return "CAST(EXTRACT(EPOCH FROM CURRENT_TIMESTAMP) * 1000 AS BIGINT)";
    }

    /**
     * An insert-or-replace statement. {@code values} are SQL expressions (usually {@code ?}), one per column.
     * PostgreSQL's {@code ON CONFLICT} is atomic; H2's {@code MERGE ... KEY} can race with a concurrent
     * insert, so callers retry when {@link #isRetryable} says so.
     */
    public String upsert(String table, List<String> keyColumns, List<String> columns, List<String> values) {
        if (columns.size() != values.size()) {
            throw new IllegalArgumentException("columns and values differ in number");
        }
        String cols = String.join(", ", columns);
        String vals = String.join(", ", values);
        String keys = String.join(", ", keyColumns);
        if (this == H2) {
            return "MERGE INTO " + table + " (" + cols + ") KEY (" + keys + ") VALUES (" + vals + ")";
        }
        String updates = columns.stream().filter(c -> !keyColumns.contains(c))
                .map(c -> c + " = EXCLUDED." + c).collect(Collectors.joining(", "));
        return "INSERT INTO " + table + " (" + cols + ") VALUES (" + vals + ") ON CONFLICT (" + keys + ") DO "
                + (updates.isEmpty() ? "NOTHING" : "UPDATE SET " + updates);
    }

    /** Whether the statement lost a race with another transaction and may simply be run again. */
    public boolean isRetryable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                if ("23505".equals(state) // unique violation (both)
                        || "40001".equals(state) // serialization failure (PostgreSQL), deadlock (H2)
                        || "40P01".equals(state) // deadlock (PostgreSQL)
                        || (this == H2 && (s.getErrorCode() == 90131 /* concurrent update */
                                || s.getErrorCode() == 50200 /* lock timeout */))) {
                    return true;
                }
            }
        }
        return false;
    }
}
