package org.celeriac.backend.sql;

import java.util.Map;

import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.tck.ResultBackendContract;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/** The result backend contract on the PostgreSQL named by CELERIAC_TEST_POSTGRES_URL; skipped without it. */
class SqlResultBackendPostgresTest extends ResultBackendContract {

    private static final String URL = System.getenv("CELERIAC_TEST_POSTGRES_URL");
    private static final SqlResultBackendFactory FACTORY = new SqlResultBackendFactory();

    @BeforeAll
    static void requirePostgres() {
        Assumptions.assumeTrue(URL != null && !URL.isBlank(), "CELERIAC_TEST_POSTGRES_URL is not set");
    }

    @Override
    protected ResultBackend openBackend() {
        return FACTORY.open(URL, Map.of());
    }
}
