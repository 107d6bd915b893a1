package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.celeriac.cli.InProcessCli.Run;
import org.junit.jupiter.api.Test;

class MonitorCommandTest {
    private final InProcessCli cli = new InProcessCli();

    @Test
    void refusesToListenBeyondLoopbackWithoutAPassword() {
        Run run = cli.run("monitor", "--broker", "memory://mon", "--backend", "memory://mon", "--address", "0.0.0.0",
                "--port", "0");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("give --basic-auth USER:PASSWORD");
    }

    @Test
    void refusesABasicAuthWithoutAPassword() {
        Run run = cli.run("monitor", "--broker", "memory://mon", "--backend", "memory://mon", "--basic-auth", "admin",
                "--port", "0");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--basic-auth must be USER:PASSWORD");
    }
}
