package org.celeriac.transport.sql;

import java.time.Duration;
import java.util.Map;

import org.celeriac.spi.transport.Transport;
import org.celeriac.tck.TransportContract;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/** The transport contract on the PostgreSQL named by CELERIAC_TEST_POSTGRES_URL; skipped without it. */
class SqlTransportPostgresTest extends TransportContract {

    private static final String URL = System.getenv("CELERIAC_TEST_POSTGRES_URL");
    private static final SqlTransportFactory FACTORY = new SqlTransportFactory();

    @BeforeAll
    static void requirePostgres() {
        Assumptions.assumeTrue(URL != null && !URL.isBlank(), "CELERIAC_TEST_POSTGRES_URL is not set");
    }

    @Override
    protected Transport openTransport() {
        return FACTORY.open(URL, Map.of("visibility_timeout", "2", "polling_interval", "0.05"));
    }

    @Override
    protected Duration redeliveryWait() {
        return Duration.ofSeconds(3);
    }
}
