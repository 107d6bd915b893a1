package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;

import org.celeriac.config.Settings;
import org.junit.jupiter.api.Test;

class DatabaseUrlsTest {
    private static final Path WORK = Path.of("/srv/work");

    @Test
    void theEmbeddedDefaultIsTheDatabaseInCeleriacDataOfTheWorkingDirectory() {
        for (String url : new String[] {"sql://", "sql:", "sql:default", "sql://default", " sql:// "}) {
            assertThat(DatabaseUrls.absolute(url, null, WORK)).as(url).isEqualTo("sql:file:/srv/work/celeriac-data/celeriac");
        }
    }

    @Test
    void theDataDirectoryOptionMovesTheEmbeddedDefaultAndOneInTheUrlWins() {
        assertThat(DatabaseUrls.absolute("sql://", "db", WORK)).isEqualTo("sql:file:/srv/work/db/celeriac");
        assertThat(DatabaseUrls.absolute("sql://", "/var/lib/celeriac", WORK)).isEqualTo("sql:file:/var/lib/celeriac/celeriac");
        assertThat(DatabaseUrls.absolute("sql://?data_dir=other&visibility_timeout=2", "db", WORK))
                .isEqualTo("sql:file:/srv/work/other/celeriac?visibility_timeout=2");
    }

    @Test
    void aRelativeFilePathBecomesAbsoluteAndAnAbsoluteOneStays() {
        assertThat(DatabaseUrls.absolute("sql:file:data/../x/db", null, WORK)).isEqualTo("sql:file:/srv/work/x/db");
        assertThat(DatabaseUrls.absolute("sql:file:/opt/db?polling_interval=1", "ignored", WORK))
                .isEqualTo("sql:file:/opt/db?polling_interval=1");
    }

    @Test
    void otherUrlsStayAsTheyAre() {
        for (String url : new String[] {"memory://x", "jdbc:h2:mem:x", "jdbc:postgresql://db/celeriac?user=u",
            "sql:file:~/db", "sql:bogus"}) {
            assertThat(DatabaseUrls.absolute(url, "dir", WORK)).as(url).isEqualTo(url);
        }
    }

    @Test
    void brokerAndBackendTakeTheirOwnDataDirectoryOption() {
        Settings settings = Settings.of(Map.of("broker_transport_options.data_dir", "b",
                "result_backend_transport_options.data_dir", "r"));

        assertThat(DatabaseUrls.broker(settings, WORK)).isEqualTo("sql:file:/srv/work/b/celeriac");
        assertThat(DatabaseUrls.backend(settings, WORK)).isEqualTo("sql:file:/srv/work/r/celeriac");
    }
}
