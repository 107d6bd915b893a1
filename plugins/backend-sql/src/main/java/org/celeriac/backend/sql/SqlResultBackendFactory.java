package org.celeriac.backend.sql;

import java.sql.SQLException;
import java.util.Map;
import java.util.Set;

import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.ResultBackendFactory;
import org.celeriac.spi.backend.BackendException;
import org.celeriac.sql.SqlDatabase;
import org.celeriac.sql.SqlDatabases;
import org.celeriac.sql.SqlUrl;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Opens {@link SqlResultBackend}s for {@code sql:} and {@code jdbc:} URLs (forms in {@link SqlUrl}), so the
 * broker URL serves as the result backend URL too. It reads no options of its own besides {@code data_dir}.
 * Backends opened by one factory on the same URL share a connection pool.
 *
 * <p>Found through {@code META-INF/services} on a class path, and as a Declarative Services component in OSGi.
 */
@Component(service = ResultBackendFactory.class)
public final class SqlResultBackendFactory implements ResultBackendFactory {

    private final SqlDatabases databases = new SqlDatabases();

    @Override
    public Set<String> schemes() {
        return Set.of("sql", "jdbc");
    }

    @Override
    public ResultBackend open(String url, Map<String, String> options) {
        SqlUrl parsed = SqlUrl.parse(url, options);
        SqlDatabase db = null;
        try {
            db = databases.open(parsed.jdbcUrl());
            db.ensureSchema("backend", SqlResultBackend.SCHEMA);
            return new SqlResultBackend(db);
        } catch (SQLException e) {
            if (db != null) {
                db.close();
            }
            throw new BackendException("Cannot open the SQL result backend on " + parsed + ": " + e.getMessage(), e);
        }
    }

    /**
     * Closes the pools still open when the component goes away. Users closed their {@link #open opened} backends
     * when the service was unregistered, before this runs; this closes what a careless one left behind.
     */
    @Deactivate
    void deactivate() {
        databases.close();
    }
}
