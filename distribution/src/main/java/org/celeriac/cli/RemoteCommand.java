package org.celeriac.cli;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;

import org.celeriac.app.Celeriac;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * What {@code inspect} and {@code control} share: a command from their table and its words, sent to the workers,
 * each reply printed as Celery prints it; exit 69 when none replied.
 */
abstract class RemoteCommand implements Callable<Integer> {

    @ParentCommand
    CeleriacCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "COMMAND", description = "What to send (see above).")
    String command;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "The command's arguments.")
    List<String> words = List.of();

    @Mixin
    RemoteOptions remote;

    @Mixin
    SettingsOptions settings;

    /** The commands this one sends, by name. */
    abstract Map<String, CommandArguments> commands();

    @Override
    public Integer call() {
        CommandArguments meta = commands().get(command);
        if (meta == null) {
            throw new IllegalArgumentException("unknown command '" + command + "'; one of: "
                    + String.join(", ", new TreeSet<>(commands().keySet())));
        }
        Map<String, Object> arguments = meta.compile(command, words == null ? List.of() : words);
        try (Celeriac app = root.open(settings.resolve(Map.of(), root.context().environment()))) {
            Map<String, Object> replies = app.control().call(command, arguments, remote.target());
            if (replies.isEmpty()) {
                spec.commandLine().getErr().println("Error: No nodes replied within time constraint");
                return ExitCodes.UNAVAILABLE;
            }
            Replies.print(replies, remote.json, true, spec.commandLine().getOut());
            return ExitCodes.OK;
        }
    }
}
