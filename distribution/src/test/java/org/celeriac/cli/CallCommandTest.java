package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.celeriac.cli.InProcessCli.Run;
import org.celeriac.cli.InProcessCli.RunningWorker;
import org.junit.jupiter.api.Test;

class CallCommandTest {
    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    private final InProcessCli cli = new InProcessCli();

    @Test
    void callWithWaitPrintsOnlyTheResultAndTheIdOnStandardError() throws Exception {
        try (RunningWorker worker = cli.startWorker(broker("add"))) {
            Run run = cli.run(call("add", "demo.add", "--args", "[2,3]", "--wait"));

            assertThat(run.exitCode()).isZero();
            assertThat(run.out()).isEqualTo("5" + System.lineSeparator());
            assertThat(run.err().strip()).matches(UUID);
        }
    }

    @Test
    void callWithoutWaitPrintsTheTaskIdWhichResultThenReports() throws Exception {
        try (RunningWorker worker = cli.startWorker(broker("id"))) {
            Run call = cli.run(call("id", "demo.mul", "--args", "[6,7]"));

            assertThat(call.exitCode()).isZero();
            String id = call.out().strip();
            assertThat(id).matches(UUID);
            assertThat(cli.run(result("id", id, "--wait")).out().strip()).isEqualTo("SUCCESS 42");
        }
    }

    @Test
    void kwargsAndStructuredResultsRoundTripAsJson() throws Exception {
        try (RunningWorker worker = cli.startWorker(broker("echo"))) {
            Run run = cli.run(call("echo", "demo.echo", "--args", "[1,\"a\"]", "--kwargs", "{\"k\": [true, null]}",
                    "--wait"));

            assertThat(run.exitCode()).isZero();
            assertThat(run.out().strip()).isEqualTo("[[1,\"a\"],{\"k\":[true,null]}]");
        }
    }

    @Test
    void failingTaskExitsOneWithTheRemoteErrorOnStandardError() throws Exception {
        try (RunningWorker worker = cli.startWorker(broker("fail"))) {
            Run run = cli.run(call("fail", "demo.fail", "--args", "[\"boom\"]", "--wait"));

            assertThat(run.exitCode()).isEqualTo(ExitCodes.TASK_FAILED);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).contains("IllegalStateException: boom");
        }
    }

    @Test
    void unregisteredTaskExitsOneSayingSo() throws Exception {
        try (RunningWorker worker = cli.startWorker(broker("unknown"))) {
            Run run = cli.run(call("unknown", "no.such.task", "--wait"));

            assertThat(run.exitCode()).isEqualTo(ExitCodes.TASK_FAILED);
            assertThat(run.err()).contains("NotRegistered").contains("no.such.task");
        }
    }

    @Test
    void canvasFromStandardInputRunsAChordAndPrintsItsBodysResult() throws Exception {
        String chord = """
                {"task": "celery.chord", "subtask_type": "chord", "args": [], "options": {}, "immutable": false,
                 "kwargs": {"kwargs": {},
                   "header": [{"task": "demo.add", "args": [1, 2], "kwargs": {}, "options": {}},
                              {"task": "demo.mul", "args": [3, 4], "kwargs": {}, "options": {}}],
                   "body": {"task": "demo.xsum", "args": [], "kwargs": {}, "options": {}}}}
                """;
        try (RunningWorker worker = cli.startWorker(broker("canvas"))) {
            Run run = cli.runWithInput(chord, call("canvas", "--canvas", "-", "--wait"));

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out().strip()).isEqualTo("15");
        }
    }

    @Test
    void canvasOfAGroupPrintsEveryResult() throws Exception {
        String group = """
                {"task": "celery.group", "subtask_type": "group", "args": [], "options": {},
                 "kwargs": {"tasks": [{"task": "demo.add", "args": [1, 2]}, {"task": "demo.mul", "args": [3, 4]}]}}
                """;
        try (RunningWorker worker = cli.startWorker(broker("group"))) {
            Run run = cli.runWithInput(group, call("group", "--canvas", "-", "--wait"));

            assertThat(run.exitCode()).as(run.err()).isZero();
            assertThat(run.out().strip()).isEqualTo("[3,12]");
        }
    }

    @Test
    void canvasThatIsNotASignatureExitsTwo() {
        Run run = cli.runWithInput("{\"tasks\": []}", call("bad", "--canvas", "-"));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--canvas: not a Celery signature");
    }

    @Test
    void invalidJsonInArgsExitsTwoNamingTheOptionAndTheExpectedForm() {
        Run run = cli.run(call("json", "demo.add", "--args", "[2,", "--wait"));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("--args must be a JSON array, e.g. --args '[2,3]'").contains("'[2,'");
    }

    @Test
    void argsThatAreNotAnArrayExitTwo() {
        assertThat(cli.run(call("json", "demo.add", "--args", "{\"x\": 1}")).exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(cli.run(call("json", "demo.add", "--args", "[1] [2]")).exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void kwargsThatAreNotAnObjectExitTwo() {
        Run run = cli.run(call("json", "demo.add", "--kwargs", "[1]"));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--kwargs must be a JSON object");
    }

    @Test
    void waitingLongerThanTheTimeoutExitsThree() {
        Run run = cli.run(call("nobody", "demo.add", "--args", "[2,3]", "--wait", "--timeout", "0.2"));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.TIMEOUT);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).contains("Timed out after 0.2 s").contains("PENDING");
    }

    @Test
    void anEtaThatIsNotIsoExitsTwo() {
        Run run = cli.run(call("eta", "demo.add", "--args", "[2,3]", "--eta", "tomorrow"));

        assertThat(run.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(run.err()).contains("--eta must be an ISO date and time");
    }

    @Test
    void countdownDelaysTheTaskButItStillRuns() throws Exception {
        try (RunningWorker worker = cli.startWorker(broker("countdown"))) {
            Run run = cli.run(call("countdown", "demo.add", "--args", "[1,1]", "--countdown", "0.3", "--wait"));

            assertThat(run.exitCode()).isZero();
            assertThat(run.out().strip()).isEqualTo("2");
        }
    }

    @Test
    void aTaskSentToAnotherQueueRunsOnAWorkerConsumingIt() throws Exception {
        try (RunningWorker worker = cli.startWorker(join(broker("queues"), "-Q", "other,celery"))) {
            Run run = cli.run(call("queues", "demo.add", "--args", "[2,2]", "-Q", "other", "--wait"));

            assertThat(run.exitCode()).isZero();
            assertThat(run.out().strip()).isEqualTo("4");
        }
    }

    static String[] broker(String name) {
        return new String[] {"--broker", "memory://" + name, "--backend", "memory://" + name, "-c", "2"};
    }

    static String[] call(String brokerName, String... args) {
        return join(new String[] {"call", "--broker", "memory://" + brokerName, "--backend", "memory://" + brokerName}, args);
    }

    static String[] result(String brokerName, String... args) {
        return join(new String[] {"result", "--broker", "memory://" + brokerName, "--backend", "memory://" + brokerName}, args);
    }

    static String[] join(String[] first, String... more) {
        String[] all = new String[first.length + more.length];
        System.arraycopy(first, 0, all, 0, first.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
