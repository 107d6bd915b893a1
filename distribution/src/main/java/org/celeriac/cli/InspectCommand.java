package org.celeriac.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;

import org.celeriac.app.Celeriac;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code celeriac inspect}: asks workers, Celery's and Celeriac's, what they are doing, as {@code celery inspect}. */
@Command(name = "inspect", sortOptions = false,
        description = {"Ask the workers on the broker, Python Celery's and Celeriac's alike, and print each reply.",
            "COMMAND: ping, stats, active, reserved, scheduled, registered [ATTR ...], revoked, query_task ID [ID ...], "
                    + "active_queues, conf, report, clock."})
final class InspectCommand implements Callable<Integer> {

    @ParentCommand
    CeleriacCommand root;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "COMMAND", description = "What to ask (see above).")
    String command;

    @Parameters(index = "1..*", paramLabel = "ARG", description = "The command's arguments.")
    List<String> words = List.of();

    @Mixin
    RemoteOptions remote;

    @Mixin
    SettingsOptions settings;

    @Override
    public Integer call() {
        return ask(root, settings, remote, spec, command, words, CommandArguments.INSPECT);
    }

    /** Sends a command, prints the replies; shared by {@code inspect} and {@code control}. */
    static int ask(CeleriacCommand root, SettingsOptions settings, RemoteOptions remote, CommandSpec spec,
                   String command, List<String> words, Map<String, CommandArguments> known) {
        CommandArguments meta = known.get(command);
        if (meta == null) {
            throw new IllegalArgumentException("unknown command '" + command + "'; one of: "
                    + String.join(", ", new TreeSet<>(known.keySet())));
        }
        Map<String, Object> arguments = meta.compile(command, words == null ? List.of() : words);
        PrintWriter out = spec.commandLine().getOut();
        try (Celeriac app = root.open(settings.resolve(Map.of(), root.context().environment()))) {
            Map<String, Object> replies = app.control().call(command, arguments, remote.target());
            if (replies.isEmpty()) {
                spec.commandLine().getErr().println("Error: No nodes replied within time constraint");
                return ExitCodes.UNAVAILABLE;
            }
            Replies.print(replies, remote.json, true, out);
            return ExitCodes.OK;
        }
    }
}
