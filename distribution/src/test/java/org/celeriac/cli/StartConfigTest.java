package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import org.celeriac.config.Settings;
import org.celeriac.container.CeleriacConfig;
import org.junit.jupiter.api.Test;

/** The configuration {@code celeriac start} writes into a new home, and its warning about an existing one. */
class StartConfigTest {
    private static final Path WORK = Path.of("/srv/work");
    private static final Path FILE = Path.of("/srv/work/celeriac-home/etc/org.celeriac.cfg");
    private static final String EMBEDDED = "sql:file:/srv/work/celeriac-data/celeriac";

    @Test
    void withTheDefaultsANewHomeNamesTheEmbeddedDatabaseOfTheWorkingDirectoryAndKeepsTheTemplatesComments() throws IOException {
        String cfg = StartConfig.forNewHome(CeleriacConfig.template(), Settings.defaults(), WORK);

        assertThat(load(cfg)).containsExactlyInAnyOrderEntriesOf(Map.of("broker_url", EMBEDDED, "result_backend", EMBEDDED));
        assertThat(cfg).contains("broker_url = " + EMBEDDED + "\n")
                .contains("# Here: the embedded H2 database in celeriac-data/ of the directory celeriac start")
                .doesNotContain("data/celeriac-data, which bin/celeriac")
                .contains("PostgreSQL instead:", "#   broker_url = jdbc:postgresql://", "#worker_concurrency = 8",
                        "#task_acks_late = false", "#broker_transport_options.visibility_timeout = 1800");
    }

    @Test
    void settingsGivenToStartReplaceTheCommentedOutDefaultsAndOptionsWithoutALineAreAdded() throws IOException {
        Settings given = Settings.resolve(Map.of(Settings.BROKER_URL, "jdbc:postgresql://db/celeriac?user=u&password=s"),
                Map.of("CELERIAC_WORKER_CONCURRENCY", "3", "CELERIAC_WORKER_QUEUES", "a,b",
                        "CELERIAC_TASK_ACKS_LATE", "true", "CELERIAC_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT", "60",
                        "CELERIAC_RESULT_BACKEND_TRANSPORT_OPTIONS__DATA_DIR", "results",
                        "CELERIAC_RESULT_BACKEND_TRANSPORT_OPTIONS__POLLING_INTERVAL", "0.5",
                        "CELERIAC_JAVA_OPTS", "-Xmx1g", "CELERIAC_TASK_DEFAULT_QUEUE", "celery"),
                null);

        String cfg = StartConfig.forNewHome(CeleriacConfig.template(), given, WORK);

        assertThat(load(cfg)).containsExactlyInAnyOrderEntriesOf(Map.of(
                "broker_url", "jdbc:postgresql://db/celeriac?user=u&password=s",
                "result_backend", "sql:file:/srv/work/results/celeriac",
                "worker_concurrency", "3", "worker_queues", "a,b", "task_acks_late", "true",
                "broker_transport_options.visibility_timeout", "60",
                "result_backend_transport_options.polling_interval", "0.5"));
        assertThat(cfg).contains("\nworker_concurrency = 3\n").doesNotContain("#worker_concurrency")
                .contains("#worker_prefetch_multiplier = 4")
                .contains("# Here: what the settings given to celeriac start named when it created this home.")
                .contains("# Given to celeriac start when it created this home.\n"
                        + "result_backend_transport_options.polling_interval = 0.5\n")
                .doesNotContain("java_opts").doesNotContain("data_dir");
    }

    @Test
    void everyLineSettingTheBrokerIsReplacedSinceTheLastOneCounts() throws IOException {
        String cfg = StartConfig.forNewHome("broker_url = a\n#worker_queues = celery\nbroker_url = b\n",
                Settings.defaults(), WORK);

        assertThat(load(cfg)).containsEntry("broker_url", EMBEDDED);
        assertThat(cfg).doesNotContain("= a").doesNotContain("= b").contains("#worker_queues = celery");
    }

    @Test
    void aBackslashInAValueIsWrittenSoThatTheFileReadsItBack() throws IOException {
        Settings given = Settings.of(Map.of(Settings.WORKER_HOSTNAME, "a\\b"));

        assertThat(load(StartConfig.forNewHome(CeleriacConfig.template(), given, WORK)))
                .containsEntry("worker_hostname", "a\\b");
    }

    @Test
    void anExistingFileNamingTheSameDatabaseOtherwiseNeedsNoWarning() {
        Map<String, String> inFile = Map.of("broker_url", "sql:file:celeriac-data/../celeriac-data/celeriac",
                "result_backend", EMBEDDED, "worker_concurrency", "8");

        assertThat(StartConfig.warning(FILE, inFile, Settings.defaults(), WORK)).isEmpty();
        assertThat(StartConfig.warning(FILE, Map.of(), Settings.defaults(), WORK))
                .as("no file, or one without them: the runtime's defaults, the same database").isEmpty();
    }

    @Test
    void anExistingFileNamingAnotherDatabaseOrSettingRulesAndTheWarningSaysWhichFileAndWhatDiffers() {
        String homeDatabase = "sql:file:/srv/work/celeriac-home/data/celeriac-data/celeriac";
        Map<String, String> inFile = Map.of("broker_url", homeDatabase, "result_backend", homeDatabase);
        Settings given = Settings.of(Map.of(Settings.WORKER_CONCURRENCY, "3", Settings.TASK_ACKS_LATE, "true",
                Settings.RESULT_BACKEND, "jdbc:postgresql://db/celeriac?password=secret"));

        String warning = StartConfig.warning(FILE, inFile, given, WORK).orElseThrow();

        assertThat(warning).startsWith("celeriac: warning: this existing home's configuration rules, not the "
                        + "settings given to start: " + FILE + System.lineSeparator())
                .contains("  broker_url = " + homeDatabase + "  (start's settings: " + EMBEDDED + ")")
                .contains("  result_backend = " + homeDatabase
                        + "  (start's settings: jdbc:postgresql://db/celeriac?password=**)")
                .contains("  worker_concurrency not set  (start's settings: 3)")
                .contains("  task_acks_late not set, so false  (start's settings: true)")
                .contains("--home DIR").doesNotContain("secret");
    }

    @Test
    void aFileWithoutABrokerMeansTheRuntimesDefaultTheEmbeddedDatabaseOfTheWorkingDirectory() {
        Settings given = Settings.of(Map.of(Settings.BROKER_URL, "sql:file:/elsewhere/db"));

        assertThat(StartConfig.warning(FILE, Map.of(), given, WORK)).hasValueSatisfying(warning -> assertThat(warning)
                .contains("  broker_url not set, so " + EMBEDDED + "  (start's settings: sql:file:/elsewhere/db)")
                .doesNotContain("result_backend"));
    }

    private static Map<String, String> load(String cfg) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(cfg));
        Map<String, String> settings = new java.util.TreeMap<>();
        p.stringPropertyNames().forEach(k -> settings.put(k, p.getProperty(k)));
        return settings;
    }
}
