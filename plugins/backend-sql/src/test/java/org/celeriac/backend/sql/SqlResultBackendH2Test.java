package org.celeriac.backend.sql;

import java.nio.file.Path;
import java.util.Map;

import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.tck.ResultBackendContract;
import org.junit.jupiter.api.io.TempDir;

/** The result backend contract on an H2 file database of this class's own. */
class SqlResultBackendH2Test extends ResultBackendContract {

    @TempDir
    static Path dir;

    private static final SqlResultBackendFactory FACTORY = new SqlResultBackendFactory();

    @Override
    protected ResultBackend openBackend() {
        return FACTORY.open("sql:file:" + dir.resolve("results"), Map.of());
    }
}
