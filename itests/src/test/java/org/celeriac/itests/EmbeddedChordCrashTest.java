package org.celeriac.itests;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.config.Settings;
import org.celeriac.discovery.ServiceLoaderCatalog;

/**
 * The chord contract on the embedded default, as a user without any server runs it: workers given no backend and
 * only {@code sql://} as broker, for its visibility timeout, share the H2 database under celeriac-data in the
 * working directory. The test's client opens that database by its path first, so this JVM serves it to the workers
 * (H2's AUTO_SERVER) and the kill of a worker does not move it.
 */
class EmbeddedChordCrashTest extends ChordCrashContract {

    private Path database() {
        return dir.resolve("celeriac-data/celeriac").toAbsolutePath();
    }

    @Override
    Celeriac openClient() {
        String url = "sql:file:" + database();
        return Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, url, Settings.RESULT_BACKEND, url)),
                new ServiceLoaderCatalog());
    }

    @Override
    List<String> connection() {
        return List.of("--broker", "sql://?visibility_timeout=" + VISIBILITY_TIMEOUT);
    }

    /** The queue's rows: a message given out keeps its row, under a lease, until it is acked. */
    @Override
    long messagesLeft() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + database() + ";AUTO_SERVER=TRUE;WRITE_DELAY=0");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM celeriac_message WHERE queue = 'celery'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
