package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import org.celeriac.cli.InProcessCli.RunningWorker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code celeriac container} in this JVM, on the bundles the build ships (target/bundles). */
class ContainerCommandIT {
    private static final String BUNDLES = System.getProperty("celeriac.bundles", "target/bundles");

    @TempDir
    Path dir;

    @Test
    void runsOnANewHomeUntilAskedToStopThenExitsZero() throws Exception {
        Path home = dir.resolve("home");
        InProcessCli cli = new InProcessCli();

        try (RunningWorker container = cli.startUntilStopped("container", "--home", home.toString(),
                "--bundles", BUNDLES)) {
            assertThat(container.out().toString()).contains("Celeriac container ready: ")
                    .contains("home:    " + home).contains(home.resolve("etc/org.celeriac.cfg").toString())
                    .contains("call demo.add --args '[2,3]' --wait --broker 'sql:file:" + home.resolve("data"))
                    .doesNotContain("do not run");

            assertThat(container.stop()).isEqualTo(ExitCodes.OK);
            assertThat(container.stopRequest().isStopped()).isTrue();
        }
        try (Stream<Path> deployed = Files.list(home.resolve("deploy"))) {
            assertThat(deployed).singleElement().asString().contains("celeriac-demo-tasks-");
        }
    }
}
