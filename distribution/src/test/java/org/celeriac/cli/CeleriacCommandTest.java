package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.celeriac.cli.InProcessCli.Run;
import org.junit.jupiter.api.Test;

class CeleriacCommandTest {

    private final InProcessCli cli = new InProcessCli();

    @Test
    void versionNamesCeleriacAndJava() {
        Run run = cli.run("--version");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Celeriac ").contains("Java " + System.getProperty("java.version"));
        assertThat(run.out()).doesNotContain("${");
    }

    @Test
    void helpListsTheCommandsAndTheQuickStart() {
        Run run = cli.run("--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("start", "worker", "call", "result", "purge")
                .contains("./celeriac call demo.add --args '[2,3]' --wait")
                .contains("CELERIAC_BROKER_URL");
    }

    @Test
    void helpOfCallSaysWhereTheIdAndTheResultGoAndListsExitCodes() {
        Run run = cli.run("call", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("standard error").contains("--broker").contains("--timeout")
                .contains("Exit codes:").contains("Timed out");
    }

    @Test
    void everyCommandTakesTheSettingsOptions() {
        for (String command : new String[] {"start", "worker", "call", "result", "purge"}) {
            assertThat(cli.run(command, "--help").out()).as(command).contains("--broker", "--backend", "--config");
        }
    }

    @Test
    void noCommandExitsTwoNamingTheCommands() {
        Run run = cli.run();

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("Missing command");
    }

    @Test
    void anUnknownOptionExitsTwoWithASuggestionRatherThanTheWholeUsage() {
        Run run = cli.run("call", "demo.add", "--timout");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("Unknown option: '--timout'").contains("Possible solutions: --timeout")
                .contains("Run 'celeriac call --help' for usage.")
                .doesNotContain("--kwargs");
    }

    @Test
    void aMissingTaskNameExitsTwo() {
        assertThat(cli.run("call").exitCode()).isEqualTo(ExitCodes.USAGE);
    }
}
