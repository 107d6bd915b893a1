package org.celeriac.cli;

import java.util.Map;

import picocli.CommandLine.Command;

/** {@code celeriac inspect}: asks workers, Celery's and Celeriac's, what they are doing, as {@code celery inspect}. */
@Command(name = "inspect", sortOptions = false,
        description = {"Ask the workers on the broker, Python Celery's and Celeriac's alike, and print each reply.",
            "COMMAND: ping, stats, active, reserved, scheduled, registered [ATTR ...], revoked, query_task ID [ID ...], "
                    + "active_queues, conf, report, clock."})
final class InspectCommand extends RemoteCommand {

    @Override
    Map<String, CommandArguments> commands() {
        return CommandArguments.INSPECT;
    }
}
