package org.celeriac.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code celeriac start}: the first command to run; a worker with everything embedded. */
@Command(name = "start", sortOptions = false,
        description = {"Start a worker with everything embedded: broker and results in a database under "
                + "./celeriac-data, the demo tasks. The same as 'celeriac worker' with its defaults.", "",
            "Then, from another terminal in the same directory:",
            "  ./celeriac call demo.add --args '[2,3]' --wait"})
final class StartCommand implements Callable<Integer> {

    @ParentCommand
    CeleriacCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    SettingsOptions settings;

    @Override
    public Integer call() throws Exception {
        return new WorkerRun(root, spec.commandLine().getOut())
                .run(settings.resolve(Map.of(), root.context().environment()), List.of());
    }
}
