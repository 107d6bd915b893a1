package org.celeriac.cli;

import java.time.Duration;
import java.util.List;

import org.celeriac.control.ControlTarget;

import picocli.CommandLine.Option;

/** Celery's remote-control options: whom to ask, how long to wait, how to print. */
final class RemoteOptions {

    @Option(names = {"-t", "--timeout"}, paramLabel = "SECONDS", defaultValue = "1.0",
            description = "Seconds to wait for the next reply (default ${DEFAULT-VALUE}).")
    double timeout;

    @Option(names = {"-d", "--destination"}, split = ",", paramLabel = "NODE",
            description = "Comma separated node names to ask (default: every node).")
    List<String> destination;

    @Option(names = {"-j", "--json"}, description = "Print the replies as one JSON object, by node name.")
    boolean json;

    ControlTarget target() {
        if (!(timeout > 0)) {
            throw new IllegalArgumentException("--timeout must be a positive number of seconds, not " + timeout);
        }
        Duration t = Duration.ofNanos((long) (timeout * 1e9));
        return (destination == null ? ControlTarget.all() : ControlTarget.to(destination)).withTimeout(t);
    }
}
