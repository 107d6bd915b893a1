package org.celeriac.cli;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.celeriac.discovery.PluginCatalog;
import org.celeriac.discovery.ServiceLoaderCatalog;

import picocli.CommandLine;

/**
 * The command line run in this JVM. Every command shares one plugin catalog, so that a {@code call} reaches a
 * {@code worker} through the same {@code memory://} broker; workers run on a thread and stop on request.
 */
final class InProcessCli {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** The banner's last line: the worker runs and the banner is complete. */
    private static final String BANNER_END = "Stop with Ctrl-C";

    private final PluginCatalog catalog = new ServiceLoaderCatalog();
    private final Map<String, String> environment;

    InProcessCli() {
        this(Map.of());
    }

    InProcessCli(Map<String, String> environment) {
        this.environment = environment;
    }

    /** What a finished command printed and returned. */
    record Run(int exitCode, String out, String err) {
    }

    Run run(String... args) {
        return runWithInput("", args);
    }

    Run runWithInput(String input, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = commandLine(input, new StopOnDemand(), out, err).execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    /** Starts {@code celeriac worker ARGS} on a thread and returns once it printed that it is ready. */
    RunningWorker startWorker(String... args) throws InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = "worker";
        System.arraycopy(args, 0, command, 1, args.length);
        return startUntilStopped(command);
    }

    /** Starts a command that runs a worker ({@code worker}, {@code start}) and returns once it is ready. */
    RunningWorker startUntilStopped(String... command) throws InterruptedException {
        return startUntilReady(BANNER_END, command);
    }

    /** Starts a command that runs until stopped and returns once it printed {@code ready}. */
    RunningWorker startUntilReady(String ready, String... command) throws InterruptedException {
        StopOnDemand stop = new StopOnDemand();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        FutureTask<Integer> exit = new FutureTask<>(() -> commandLine("", stop, out, err).execute(command));
        Thread thread = new Thread(exit, "test-worker");
        thread.setDaemon(true);
        thread.start();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!out.toString().contains(ready) && !exit.isDone()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(command[0] + " did not get ready; out: " + out + "; err: " + err);
            }
            Thread.sleep(10);
        }
        return new RunningWorker(stop, exit, out, err);
    }

    private CommandLine commandLine(String input, StopRequest stop, StringWriter out, StringWriter err) {
        CliContext context = new CliContext(() -> catalog, environment, new BufferedReader(new StringReader(input)),
                () -> stop);
        CommandLine cl = CeleriacCommand.commandLine(context);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl;
    }

    /** A worker command running on a thread. */
    record RunningWorker(StopOnDemand stopRequest, FutureTask<Integer> exit, StringWriter out, StringWriter err)
            implements AutoCloseable {

        /** Asks for a warm shutdown, as SIGTERM does, and returns the exit code once the command returned. */
        int stop() throws InterruptedException, ExecutionException, TimeoutException {
            stopRequest.request();
            return exit.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            if (!exit.isDone()) {
                stop();
            }
        }
    }

    /** A stop request the test makes, where the process would get a signal. */
    static final class StopOnDemand implements StopRequest {
        private final CountDownLatch requested = new CountDownLatch(1);
        private final CountDownLatch stopped = new CountDownLatch(1);
        private volatile Runnable coldStop;
        private volatile boolean cold;

        @Override
        public void request() {
            requested.countDown();
        }

        /** A second request, as a second signal: a cold stop. */
        void requestCold() {
            cold = true;
            coldStop.run();
        }

        @Override
        public void onCold(Runnable stop) {
            coldStop = stop;
        }

        @Override
        public int exitCode() {
            return cold ? 130 : ExitCodes.OK;
        }

        boolean isStopped() {
            return stopped.getCount() == 0;
        }

        @Override
        public void await() throws InterruptedException {
            requested.await();
        }

        @Override
        public void stopped() {
            stopped.countDown();
        }
    }
}
