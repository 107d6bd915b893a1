package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.celeriac.cli.CallCommandTest.broker;
import static org.celeriac.cli.CallCommandTest.call;
import static org.celeriac.cli.CallCommandTest.result;

import org.celeriac.cli.InProcessCli.Run;
import org.celeriac.cli.InProcessCli.RunningWorker;
import org.junit.jupiter.api.Test;

class ResultCommandTest {

    private final InProcessCli cli = new InProcessCli();

    @Test
    void resultOfAnUnknownIdIsPending() {
        Run run = cli.run(result("r", "no-such-id"));

        assertThat(run.exitCode()).isZero();
        assertThat(run.out().strip()).isEqualTo("PENDING");
    }

    @Test
    void resultOfASucceededTaskIsSuccessAndItsJson() throws Exception {
        try (RunningWorker worker = cli.startWorker(broker("r"))) {
            String id = cli.run(call("r", "demo.add", "--args", "[2,3]")).out().strip();

            Run run = cli.run(result("r", id, "--wait"));

            assertThat(run.exitCode()).isZero();
            assertThat(run.out().strip()).isEqualTo("SUCCESS 5");
        }
    }

    @Test
    void resultOfAFailedTaskIsFailureWithTheErrorAndExitsOne() throws Exception {
        try (RunningWorker worker = cli.startWorker(broker("r"))) {
            String id = cli.run(call("r", "demo.fail", "--args", "[\"boom\"]")).out().strip();

            Run run = cli.run(result("r", id, "--wait"));

            assertThat(run.exitCode()).isEqualTo(ExitCodes.TASK_FAILED);
            assertThat(run.out().strip()).isEqualTo("FAILURE IllegalStateException: boom");
        }
    }

    @Test
    void waitingForAResultThatDoesNotComeExitsThreeAndPrintsTheState() {
        Run run = cli.run(result("r", "no-such-id", "--wait", "--timeout", "0.1"));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.TIMEOUT);
        assertThat(run.out().strip()).isEqualTo("PENDING");
    }
}
