package org.celeriac.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import org.celeriac.cli.InProcessCli.RunningWorker;
import org.junit.jupiter.api.Test;

/** {@code inspect}, {@code control}, {@code status} and {@code events} against a worker, through one in-memory broker. */
class RemoteControlCommandsTest {

    private final InProcessCli cli = new InProcessCli();

    private static String[] on(String broker, String... args) {
        String[] all = new String[args.length + 4];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--broker";
        all[args.length + 1] = "memory://" + broker;
        all[args.length + 2] = "--backend";
        all[args.length + 3] = "memory://" + broker;
        return all;
    }

    @Test
    void inspectAndControlPrintEachWorkersReplyAsCeleryDoes() throws Exception {
        try (RunningWorker worker = cli.startWorker(on("rc1", "-n", "w1@test", "-c", "2"))) {
            InProcessCli.Run ping = cli.run(on("rc1", "inspect", "ping"));
            InProcessCli.Run limit = cli.run(on("rc1", "control", "rate_limit", "demo.add", "5/s", "--json"));
            InProcessCli.Run unknown = cli.run(on("rc1", "control", "rate_limit", "demo.nope", "5/s"));
            InProcessCli.Run status = cli.run(on("rc1", "status"));

            assertThat(ping.exitCode()).as(ping.err()).isZero();
            assertThat(ping.out()).isEqualTo("->  w1@test: OK\n        pong\n");
            assertThat(limit.out().strip()).isEqualTo("{\"w1@test\":{\"ok\":\"new rate limit set successfully\"}}");
            assertThat(unknown.out()).isEqualTo("->  w1@test: ERROR\n        unknown task\n");
            assertThat(status.out()).isEqualTo("->  w1@test: OK\n\n1 node online.\n");
        }
    }

    @Test
    void noReplyIsExit69AndAnUnknownCommandAUsageError() {
        InProcessCli.Run none = cli.run(on("rc2", "status", "-t", "0.3"));
        InProcessCli.Run unknown = cli.run(on("rc2", "inspect", "nope"));
        InProcessCli.Run badArgument = cli.run(on("rc2", "control", "pool_grow", "two"));

        assertThat(none.exitCode()).isEqualTo(ExitCodes.UNAVAILABLE);
        assertThat(none.err()).contains("No nodes replied within time constraint");
        assertThat(unknown.exitCode()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.err()).contains("unknown command 'nope'", "ping", "stats");
        assertThat(badArgument.exitCode()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void remoteShutdownStopsTheWorkerCommandWarm() throws Exception {
        RunningWorker worker = cli.startWorker(on("rc3", "-n", "w1@test"));

        cli.run(on("rc3", "control", "shutdown", "-t", "0.3"));

        assertThat(worker.exit().get(30, TimeUnit.SECONDS)).isEqualTo(ExitCodes.OK);
    }

    @Test
    void eventsDumpShowsAWorkersTaskEvents() throws Exception {
        try (RunningWorker worker = cli.startWorker(on("rc4", "-n", "w1@test", "-E"))) {
            InProcessCli.Run[] dumped = new InProcessCli.Run[1];
            Thread events = new Thread(() -> dumped[0] = cli.run(on("rc4", "events", "--dump", "--for", "4")));
            events.start();
            // Events are not kept for later subscribers: keep sending while the dump listens.
            while (events.isAlive()) {
                cli.run(on("rc4", "call", "demo.add", "--args", "[2,3]", "--wait"));
                events.join(300);
            }

            assertThat(dumped[0].exitCode()).isZero();
            assertThat(dumped[0].out()).contains("w1@test [", "] task received: demo.add(", "args=[2, 3]",
                    "task succeeded: demo.add(", "result=5");
        }
    }
}
