package org.celeriac.transport.sql;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Claims under contention on the PostgreSQL named by CELERIAC_TEST_POSTGRES_URL; skipped without it. */
@Timeout(90)
class SqlTransportPostgresConcurrencyTest {

    private static final String URL = System.getenv("CELERIAC_TEST_POSTGRES_URL");

    @BeforeAll
    static void requirePostgres() {
        Assumptions.assumeTrue(URL != null && !URL.isBlank(), "CELERIAC_TEST_POSTGRES_URL is not set");
    }

    @Test
    void consumersOnSeparatePoolsClaimEveryMessageExactlyOnce() throws Exception {
        ClaimStress.run(URL);
    }
}
