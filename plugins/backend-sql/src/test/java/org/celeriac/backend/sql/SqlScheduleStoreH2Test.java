package org.celeriac.backend.sql;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import org.celeriac.spi.beat.ScheduleStore;
import org.celeriac.tck.ScheduleStoreContract;
import org.junit.jupiter.api.io.TempDir;

/** The schedule store contract on an H2 file database of each test's own, opened by two factories. */
class SqlScheduleStoreH2Test extends ScheduleStoreContract {

    @TempDir
    static Path dir;

    private String url;

    @Override
    protected ScheduleStore openStore() {
        url = "sql:file:" + dir.resolve("beat-" + UUID.randomUUID());
        return new SqlScheduleStoreFactory().open(url, Map.of());
    }

    @Override
    protected ScheduleStore openSecondStore() {
        return new SqlScheduleStoreFactory().open(url, Map.of());
    }
}
