package org.celeriac.transport.sql;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;
import org.celeriac.spi.transport.TransportFactory;
import org.celeriac.sql.SqlDatabase;
import org.celeriac.sql.SqlDatabases;
import org.celeriac.sql.SqlUrl;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Opens {@link SqlTransport}s for {@code sql:} and {@code jdbc:} URLs (forms in {@link SqlUrl}: {@code sql:}
 * is an H2 file database under {@code ./celeriac-data}, shared by the processes of one machine).
 * Options, in seconds unless said:
 * <ul>
 * <li>{@code visibility_timeout} (default 1800): how long a received message stays invisible to other
 *     consumers before it is given out again, unless renewed, acked or rejected;</li>
 * <li>{@code polling_interval} (default 0.1): the longest pause between two looks at the tables while
 *     waiting; writes from this JVM wake waiting consumers at once;</li>
 * <li>{@code disk_reserve} (megabytes, default 64; an H2 file database only): sends are refused while the disk
 *     holding the database has less free, so that workers can still finish (see {@link DiskReserve}).</li>
 * </ul>
 * Transports opened by one factory on the same URL share a connection pool.
 *
 * <p>Found through {@code META-INF/services} on a class path, and as a Declarative Services component in OSGi.
 */
@Component(service = TransportFactory.class)
public final class SqlTransportFactory implements TransportFactory {

    static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofSeconds(1800);
    static final Duration DEFAULT_POLLING_INTERVAL = Duration.ofMillis(100);

    private final SqlDatabases databases = new SqlDatabases();

    @Override
    public Set<String> schemes() {
        return Set.of("sql", "jdbc");
    }

    @Override
    public Transport open(String url, Map<String, String> options) {
        SqlUrl parsed = SqlUrl.parse(url, options);
        Duration visibility = parsed.seconds("visibility_timeout", DEFAULT_VISIBILITY_TIMEOUT);
        if (visibility.toMillis() < 1) {
            throw new IllegalArgumentException("visibility_timeout must be positive");
        }
        Duration polling = parsed.seconds("polling_interval", DEFAULT_POLLING_INTERVAL);
        SqlDatabase db = null;
        try {
            db = databases.open(parsed.jdbcUrl());
            db.ensureSchema("transport", SqlTransport.SCHEMA);
            return new SqlTransport(db, visibility, polling, DiskReserve.of(SqlUrl.h2Database(parsed.jdbcUrl()),
                    parsed.megabytes("disk_reserve", DiskReserve.DEFAULT_BYTES)));
        } catch (SQLException e) {
            if (db != null) {
                db.close();
            }
            throw new TransportException("Cannot open the SQL transport on " + parsed + ": " + e.getMessage(), e);
        }
    }

    /**
     * Closes the pools still open when the component goes away. Users closed their {@link #open opened} transports
     * when the service was unregistered, before this runs; this closes what a careless one left behind.
     */
    @Deactivate
    void deactivate() {
        databases.close();
    }
}
