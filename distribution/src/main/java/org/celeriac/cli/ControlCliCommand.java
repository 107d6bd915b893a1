package org.celeriac.cli;

import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code celeriac control}: tells workers, Celery's and Celeriac's, to change what they do, as {@code celery control}. */
@Command(name = "control", sortOptions = false,
        description = {"Tell the workers on the broker, Python Celery's and Celeriac's alike, to do something, and "
                + "print each reply.",
            "COMMAND: revoke ID [ID ...], terminate SIGNAL ID [ID ...], revoke_by_stamped_headers NAME=VALUE [...], "
                    + "rate_limit TASK RATE, time_limit TASK SOFT [HARD], pool_grow [N], pool_shrink [N], "
                    + "autoscale MAX MIN, add_consumer QUEUE, cancel_consumer QUEUE, enable_events, disable_events, "
                    + "heartbeat, shutdown."})
final class ControlCliCommand implements Callable<Integer> {

    @ParentCommand
    CeleriacCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "COMMAND", description = "What to do (see above).")
    String command;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "The command's arguments.")
    List<String> words = List.of();

    @Mixin
    RemoteOptions remote;

    @Mixin
    SettingsOptions settings;

    @Override
    public Integer call() {
        return InspectCommand.ask(root, settings, remote, spec, command, words, CommandArguments.CONTROL);
    }
}
