package org.celeriac.sql;

import java.sql.Connection;
import java.sql.SQLException;

/** Work done with one connection, in {@link SqlDatabase#transaction} or {@link SqlDatabase#autoCommit}. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
