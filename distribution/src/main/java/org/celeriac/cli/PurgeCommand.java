package org.celeriac.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.celeriac.app.Celeriac;
import org.celeriac.config.Settings;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code celeriac purge}: removes the messages waiting on queues, as Celery's {@code purge}. */
@Command(name = "purge", sortOptions = false,
        description = {"Remove every message waiting on queues; the tasks never run. Messages a worker holds "
                + "are not removed. Asks first, unless --force."})
final class PurgeCommand implements Callable<Integer> {

    @ParentCommand
    CeleriacCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = {"-Q", "--queues"}, split = ",", paramLabel = "QUEUE",
            description = "Queues to purge, comma separated. Default: the worker queues (worker_queues) when "
                    + "set, else the default queue, celery.")
    List<String> queues;

    @Option(names = {"-f", "--force"}, description = "Do not ask for confirmation.")
    boolean force;

    @Mixin
    SettingsOptions settings;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Settings resolved = settings.resolve(Map.of(), root.context().environment());
        List<String> targets = queues != null ? queues : defaultQueues(resolved);
        if (!force && !confirmed(targets, err)) {
            err.println("Not purged.");
            return ExitCodes.OK;
        }
        try (Celeriac app = root.open(resolved)) {
            long removed = 0;
            for (String q : targets) {
                removed += app.client().purge(q);
            }
            out.println("Purged " + removed + (removed == 1 ? " message" : " messages") + " from "
                    + (targets.size() == 1 ? "queue " : "queues ") + String.join(", ", targets) + ".");
            return ExitCodes.OK;
        }
    }

    private static List<String> defaultQueues(Settings s) {
        List<String> workerQueues = s.getList(Settings.WORKER_QUEUES);
        return workerQueues.isEmpty() ? List.of(s.get(Settings.TASK_DEFAULT_QUEUE)) : workerQueues;
    }

    private boolean confirmed(List<String> targets, PrintWriter err) throws IOException {
        err.print("Remove every waiting message from " + String.join(", ", targets) + "? This cannot be undone. [y/N] ");
        err.flush();
        String answer = root.context().input().readLine();
        return answer != null && List.of("y", "yes").contains(answer.trim().toLowerCase(Locale.ROOT));
    }
}
