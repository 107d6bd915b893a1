package org.celeriac.cli;

import java.time.Duration;

import picocli.CommandLine.Option;

/** {@code --wait} and {@code --timeout}, for the commands that can wait for a task to finish. */
final class WaitOptions {

    @Option(names = "--wait", description = "Wait until the task has finished, and print its result.")
    boolean await;

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "30",
            description = "With --wait, give up after S seconds (exit 3). Default: ${DEFAULT-VALUE}.")
    double timeoutSeconds;

    Duration timeout() {
        return Seconds.positive("--timeout", timeoutSeconds);
    }
}
