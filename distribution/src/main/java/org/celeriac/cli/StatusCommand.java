package org.celeriac.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

import org.celeriac.app.Celeriac;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code celeriac status}: the workers online, Celery's and Celeriac's, as {@code celery status}. */
@Command(name = "status", sortOptions = false,
        description = "List the workers on the broker that answer a ping, Python Celery's and Celeriac's alike.")
final class StatusCommand implements Callable<Integer> {

    @ParentCommand
    CeleriacCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    RemoteOptions remote;

    @Mixin
    SettingsOptions settings;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Celeriac app = root.open(settings.resolve(Map.of(), root.context().environment()))) {
            Map<String, Object> replies = app.control().call("ping", Map.of(), remote.target());
            if (replies.isEmpty()) {
                spec.commandLine().getErr().println("Error: No nodes replied within time constraint");
                return ExitCodes.UNAVAILABLE;
            }
            Replies.print(replies, remote.json, false, out);
            out.println();
            out.println(Replies.nodes(replies.size()) + " online.");
            return ExitCodes.OK;
        }
    }
}
