package org.celeriac.backend.sql;

import java.sql.SQLException;
import java.util.Map;
import java.util.Set;

import org.celeriac.spi.beat.ScheduleStore;
import org.celeriac.spi.beat.ScheduleStoreException;
import org.celeriac.spi.beat.ScheduleStoreFactory;
import org.celeriac.sql.SqlDatabase;
import org.celeriac.sql.SqlDatabases;
import org.celeriac.sql.SqlUrl;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Opens {@link SqlScheduleStore}s for {@code sql:} and {@code jdbc:} URLs (forms in {@link SqlUrl}), so beat can
 * share the broker's database. It reads no options of its own besides {@code data_dir}. Stores opened by one
 * factory on the same URL share a connection pool.
 *
 * <p>Found through {@code META-INF/services} on a class path, and as a Declarative Services component in OSGi.
 */
@Component(service = ScheduleStoreFactory.class)
public final class SqlScheduleStoreFactory implements ScheduleStoreFactory {

    private final SqlDatabases databases = new SqlDatabases();

    @Override
    public Set<String> schemes() {
        return Set.of("sql", "jdbc");
    }

    @Override
    public ScheduleStore open(String url, Map<String, String> options) {
        SqlUrl parsed = SqlUrl.parse(url, options);
        SqlDatabase db = null;
        try {
            db = databases.open(parsed.jdbcUrl());
            db.ensureSchema("beat", SqlScheduleStore.SCHEMA);
            return new SqlScheduleStore(db);
        } catch (SQLException e) {
            if (db != null) {
                db.close();
            }
            throw new ScheduleStoreException("Cannot open the SQL schedule store on " + parsed + ": " + e.getMessage(), e);
        }
    }

    /** Closes the pools still open when the component goes away, as {@link SqlResultBackendFactory} does. */
    @Deactivate
    void deactivate() {
        databases.close();
    }
}
