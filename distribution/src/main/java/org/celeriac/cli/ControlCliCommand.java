package org.celeriac.cli;

import java.util.Map;

import picocli.CommandLine.Command;

/** {@code celeriac control}: tells workers, Celery's and Celeriac's, to change what they do, as {@code celery control}. */
@Command(name = "control", sortOptions = false,
        description = {"Tell the workers on the broker, Python Celery's and Celeriac's alike, to do something, and "
                + "print each reply.",
            "COMMAND: revoke ID [ID ...], terminate SIGNAL ID [ID ...], revoke_by_stamped_headers NAME=VALUE [...], "
                    + "rate_limit TASK RATE, time_limit TASK SOFT [HARD], pool_grow [N], pool_shrink [N], "
                    + "autoscale MAX MIN, add_consumer QUEUE, cancel_consumer QUEUE, enable_events, disable_events, "
                    + "heartbeat, shutdown."})
final class ControlCliCommand extends RemoteCommand {

    @Override
    Map<String, CommandArguments> commands() {
        return CommandArguments.CONTROL;
    }
}
