package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.celeriac.cli.InProcessCli.Run;
import org.celeriac.cli.InProcessCli.RunningWorker;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code celeriac start} as far as its home: the container runs on a bundles directory with one bundle that does
 * nothing (no kernel, so no database opens). {@code StartCommandIT} runs it on the shipped bundles.
 */
class StartCommandTest {
    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private Path home;
    private Path bundles;
    private String database;
    private InProcessCli cli;

    @BeforeEach
    void aWorkingDirectoryOfItsOwn() throws IOException {
        home = dir.resolve("celeriac-home");
        bundles = Files.createDirectories(dir.resolve("bundles"));
        emptyBundle(bundles.resolve("probe.jar"));
        // The embedded default's directory (./celeriac-data) in this test's directory rather than the JVM's.
        database = "sql:file:" + dir.resolve("celeriac-data/celeriac");
        cli = new InProcessCli(Map.of(
                "CELERIAC_BROKER_TRANSPORT_OPTIONS__DATA_DIR", dir.resolve("celeriac-data").toString(),
                "CELERIAC_RESULT_BACKEND_TRANSPORT_OPTIONS__DATA_DIR", dir.resolve("celeriac-data").toString(),
                "CELERIAC_WORKER_CONCURRENCY", "3"));
    }

    @Test
    void helpSaysItStartsTheContainerOnItsHomeAndWhereThePlainWorkerIs() {
        Run run = cli.run("start", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("OSGi container", "--home", "--bundles", "celeriac-home", "celeriac-data",
                "etc/org.celeriac.cfg", "'celeriac worker'", "Exit codes:");
    }

    @Test
    void aNewHomesConfigurationNamesTheDatabaseAndTheWorkerSettingsOfTheSettingsGivenToStart() throws Exception {
        try (RunningWorker start = cli.startUntilStopped("start", "--home", home.toString(),
                "--bundles", bundles.toString())) {
            String cfg = Files.readString(home.resolve("etc/org.celeriac.cfg"));
            assertThat(cfg).contains("broker_url = " + database + "\n", "result_backend = " + database + "\n",
                    "worker_concurrency = 3\n", "#worker_prefetch_multiplier = 4\n");
            assertThat(start.out().toString()).contains("Celeriac container ready: 1 bundles active.")
                    .contains("  broker:  " + database + NL)
                    .contains("Call a task from another terminal:" + NL
                            + "  ./celeriac call demo.add --args '[2,3]' --wait" + NL);
            assertThat(start.err().toString()).doesNotContain("warning");

            assertThat(start.stop()).isEqualTo(ExitCodes.OK);
        }
        assertThat(home.resolve("deploy")).isDirectoryContaining(f -> f.getFileName().toString()
                .startsWith("celeriac-demo-tasks-"));
    }

    @Test
    void anExistingHomesConfigurationIsLeftAsItIsAndStartWarnsThatItRules() throws Exception {
        Path cfg = Files.createDirectories(home.resolve("etc")).resolve("org.celeriac.cfg");
        String operators = "# mine\nbroker_url = sql:file:${celeriac.home}/db\nresult_backend = " + database + "\n";
        Files.writeString(cfg, operators);

        try (RunningWorker start = cli.startUntilStopped("start", "--home", home.toString(),
                "--bundles", bundles.toString())) {
            assertThat(start.err().toString())
                    .contains("celeriac: warning: this existing home's configuration rules, not the settings given "
                            + "to start: " + cfg + NL)
                    .contains("  broker_url = sql:file:" + home.resolve("db") + "  (start's settings: " + database + ")")
                    .contains("  worker_concurrency not set  (start's settings: 3)")
                    .doesNotContain("result_backend =");
            assertThat(start.out().toString()).contains("  ./celeriac call demo.add --args '[2,3]' --wait --broker 'sql:file:"
                    + home.resolve("db") + "'" + NL);
        }
        assertThat(Files.readString(cfg)).isEqualTo(operators);
    }

    @Test
    void aMissingBundlesDirectoryExitsTwoAndCreatesNoHome() {
        Run run = cli.run("start", "--home", home.toString(), "--bundles", dir.resolve("nowhere").toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("no bundles directory at " + dir.resolve("nowhere"));
        assertThat(home).doesNotExist();
    }

    /** A bundle with nothing in it: enough for a framework to start with. */
    private static void emptyBundle(Path jar) throws IOException {
        Manifest manifest = new Manifest();
        Attributes headers = manifest.getMainAttributes();
        headers.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        headers.putValue("Bundle-ManifestVersion", "2");
        headers.putValue("Bundle-SymbolicName", "org.example.probe");
        headers.putValue("Bundle-Version", "1.0.0");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream unused = new JarOutputStream(out, manifest)) {
            unused.flush();
        }
    }
}
