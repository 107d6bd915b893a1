package org.celeriac.itests;

import java.nio.file.Path;
import java.util.Map;

import org.celeriac.config.Settings;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link CanvasContract} on the embedded default: the SQL broker and the SQL result backend on one H2 file
 * database, as {@code sql://} gives a process in a directory ({@code celeriac-data/celeriac} there); here a new
 * directory for each test. Chords join in the SQL backend.
 */
class EmbeddedCanvasTest extends CanvasContract {

    @TempDir
    Path dir;

    @Override
    Map<String, String> freshConnection() {
        String url = "sql:file:" + dir.resolve("celeriac-data/celeriac").toAbsolutePath();
        return Map.of(Settings.BROKER_URL, url, Settings.RESULT_BACKEND, url);
    }
}
