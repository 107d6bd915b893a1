package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.cli.InProcessCli.Run;
import org.celeriac.cli.InProcessCli.RunningWorker;
import org.celeriac.config.Settings;
import org.celeriac.discovery.ServiceLoaderCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code celeriac start} in this JVM on the bundles the build ships (target/bundles): the container on a new home,
 * reached by clients on the embedded database of the directory start ran in.
 */
class StartCommandIT {
    private static final String BUNDLES = System.getProperty("celeriac.bundles", "target/bundles");
    private static final Duration RESULT_WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void runsTheDemoTasksOnTheEmbeddedDatabaseThatClientsInTheSameDirectoryUse() throws Exception {
        Path home = dir.resolve("celeriac-home");
        String database = "sql:file:" + dir.resolve("celeriac-data/celeriac");
        // This test's directory plays the working directory: the embedded default's directory, ./celeriac-data,
        // is in it for start and for the call below, as it would be for processes started there.
        InProcessCli cli = new InProcessCli(Map.of(
                "CELERIAC_BROKER_TRANSPORT_OPTIONS__DATA_DIR", dir.resolve("celeriac-data").toString(),
                "CELERIAC_RESULT_BACKEND_TRANSPORT_OPTIONS__DATA_DIR", dir.resolve("celeriac-data").toString()));

        try (RunningWorker start = cli.startUntilStopped("start", "--home", home.toString(), "--bundles", BUNDLES)) {
            assertThat(start.out().toString()).as(start.err().toString()).contains("Celeriac container ready: ")
                    .contains("  broker:  " + database)
                    .contains("  ./celeriac call demo.add --args '[2,3]' --wait" + System.lineSeparator())
                    .doesNotContain("do not run");
            assertThat(Files.readString(home.resolve("etc/org.celeriac.cfg"))).contains("broker_url = " + database + "\n");

            try (Celeriac client = Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, database,
                    Settings.RESULT_BACKEND, database)), new ServiceLoaderCatalog())) {
                assertThat(client.client().send("demo.add", List.of(2, 3), Map.of()).get(RESULT_WAIT)).isEqualTo(5);
            }
            Run call = cli.run("call", "demo.add", "--args", "[4,5]", "--wait");
            assertThat(call.exitCode()).as(call.err()).isZero();
            assertThat(call.out().strip()).isEqualTo("9");

            assertThat(start.stop()).isEqualTo(ExitCodes.OK);
            assertThat(start.stopRequest().isStopped()).isTrue();
        }
        assertThat(dir.resolve("celeriac-data/celeriac.mv.db")).isRegularFile();
    }
}
