package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.celeriac.cli.InProcessCli.Run;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContainerCommandTest {

    private final InProcessCli cli = new InProcessCli();

    @TempDir
    Path dir;

    @Test
    void helpListsTheContainer() {
        assertThat(cli.run("--help").out()).contains("container");
    }

    @Test
    void helpOfContainerExplainsTheHomeAndItsDirectories() {
        Run run = cli.run("container", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("--home", "--bundles", "deploy/", "etc/", "data/", "org.celeriac.cfg")
                .contains("Exit codes:");
    }

    @Test
    void aMissingBundlesDirectoryExitsTwoSayingHowToBuildItAndCreatesNoHome() {
        Run run = cli.run("container", "--home", dir.resolve("home").toString(),
                "--bundles", dir.resolve("nowhere").toString());

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("no bundles directory at " + dir.resolve("nowhere"))
                .contains("mvn install");
        assertThat(dir.resolve("home")).doesNotExist();
    }
}
