package org.celeriac.itests;

import java.nio.file.Path;

/**
 * Workers on the embedded default, an H2 file database for broker and backend, killed mid-stream. The first worker
 * to open the file serves it to the others (H2's auto-server); killing it makes another open the file afresh after
 * a crash, which must find every acknowledged write. Claimed messages come back after the visibility timeout.
 */
class EmbeddedWorkerCrashTest extends WorkerCrashContract {

    @Override
    Setup setUp(Path dir) {
        Path file = dir.resolve("celeriac-data/celeriac").toAbsolutePath();
        String database = "sql:file:" + file;
        return new SqlCrashSetup(database + "?visibility_timeout=5", database,
                "jdbc:h2:file:" + file + ";AUTO_SERVER=TRUE", () -> { });
    }
}
