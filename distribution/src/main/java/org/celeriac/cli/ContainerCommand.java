package org.celeriac.cli;

import java.util.concurrent.Callable;

import org.celeriac.container.CeleriacConfig;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code celeriac container}: the OSGi container, with hot-deployed task packages and plugins. */
@Command(name = "container", sortOptions = false,
        description = {"Run the OSGi container: Celeriac's kernel and plugins as bundles, a worker configured from "
                + "etc/org.celeriac.cfg, and task packages and extra plugins hot-deployed from deploy/.", "",
            "In the home directory:",
            "  deploy/   jars dropped here are installed and started, replaced ones updated, deleted ones "
                    + "uninstalled, within about a second",
            "  etc/      PID.cfg configuration files; org.celeriac.cfg configures broker, backend, queues, "
                    + "concurrency with Celery's setting names; a saved change applies without a restart",
            "  data/     the framework cache (rebuilt at every start), the embedded database, logs", "",
            "A new home gets the default etc/org.celeriac.cfg (the embedded database under data/) and the demo "
                    + "tasks in deploy/. 'celeriac start' is the same container, its new home configured from "
                    + "the start command's settings instead.", "",
            "SIGTERM or Ctrl-C stops it warm: every bundle stops in reverse order, the worker finishes its running "
                    + "tasks, and it exits 0."})
final class ContainerCommand implements Callable<Integer> {

    @ParentCommand
    CeleriacCommand root;

    @Spec
    CommandSpec spec;

    @Mixin
    ContainerOptions container;

    @Override
    public Integer call() throws Exception {
        return new ContainerRun(root, spec.commandLine().getOut())
                .run(container.containerHome(), CeleriacConfig.template(), home -> { });
    }
}
