package org.celeriac.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

import org.celeriac.config.Settings;
import org.celeriac.container.CeleriacConfig;
import org.celeriac.container.ContainerHome;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code celeriac start}: the first command to run; the container with the demo tasks, everything embedded. */
@Command(name = "start", sortOptions = false,
        description = {"Start Celeriac with everything embedded: the container running the demo tasks on the "
                + "embedded database (celeriac-data in the working directory).", "",
            "This is the OSGi container of 'celeriac container', on the home celeriac-home in the working "
                    + "directory. Its embedded database is the one that the other commands run from the same "
                    + "directory use by default. Then, from another terminal in the same directory:",
            "  ./celeriac call demo.add --args '[2,3]' --wait", "",
            "A new home's etc/org.celeriac.cfg names the broker and backend that the settings resolve to (--broker, "
                    + "--backend, --config, CELERIAC_* variables, the celeriac.properties file, else the embedded "
                    + "database), and takes the worker settings given (worker_concurrency, worker_queues, "
                    + "task_acks_late, ...). An existing home's file is left as it is, and rules: start warns when it "
                    + "names another broker, backend or setting than those given. Task packages and plugins "
                    + "hot-deploy from the home's deploy/ (see 'celeriac container --help').", "",
            "A plain worker without OSGi, with task packages from the class path and --tasks: 'celeriac worker'.", "",
            "SIGTERM or Ctrl-C stops it warm: every bundle stops in reverse order, the worker finishes its running "
                    + "tasks, and it exits 0."})
final class StartCommand implements Callable<Integer> {

    @ParentCommand
    CeleriacCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    ContainerOptions container;

    @Mixin
    SettingsOptions settings;

    @Override
    public Integer call() throws Exception {
        Settings given = settings.resolve(Map.of(), root.context().environment());
        Path workDir = ContainerRun.workingDirectory();
        String newHomeConfig = StartConfig.forNewHome(CeleriacConfig.template(), given, workDir);
        PrintWriter err = spec.commandLine().getErr();
        return new ContainerRun(root, spec.commandLine().getOut()).run(container.containerHome(), newHomeConfig,
                home -> warnIfTheHomeRulesOtherwise(home, given, workDir, err));
    }

    /** On a new home the file is what start wrote: nothing to say. */
    private static void warnIfTheHomeRulesOtherwise(ContainerHome home, Settings given, Path workDir, PrintWriter err) {
        try {
            StartConfig.warning(home.celeriacConfig(), CeleriacConfig.read(home), given, workDir).ifPresent(err::println);
        } catch (UncheckedIOException e) {
            err.println("celeriac: warning: " + e.getMessage());
        }
        err.flush();
    }
}
