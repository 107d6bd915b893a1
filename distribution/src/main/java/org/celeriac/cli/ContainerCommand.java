package org.celeriac.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.Callable;

import org.celeriac.config.Settings;

import org.celeriac.container.BundleProblem;
import org.celeriac.container.Container;
import org.celeriac.container.ContainerHome;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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
                    + "tasks in deploy/.", "",
            "SIGTERM or Ctrl-C stops it warm: every bundle stops in reverse order, the worker finishes its running "
                    + "tasks, and it exits 0."})
final class ContainerCommand implements Callable<Integer> {
    /** Set by the installation's bin/celeriac to the installation's root. */
    static final String HOME_PROPERTY = "celeriac.home";
    static final Path DEFAULT_HOME = Path.of("celeriac-home");

    @ParentCommand
    CeleriacCommand root;

    @Spec
    CommandSpec spec;

    @Option(names = "--home", paramLabel = "DIR",
            description = "The home directory, created when missing. Default: the installation's root when run "
                    + "by its bin/celeriac, else ./celeriac-home.")
    Path home;

    @Option(names = "--bundles", paramLabel = "DIR",
            description = "The bundles started with the container. Default: bundles/ next to celeriac.jar.")
    Path bundles;

    @Override
    public Integer call() throws Exception {
        // First of all, so that a signal from now on means a warm shutdown rather than an abrupt exit.
        StopRequest stop = root.context().stopRequests().get();
        try (Container container = Container.start(new ContainerHome(home(), bundles()))) {
            printBanner(container);
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } finally {
            stop.stopped();
        }
        return ExitCodes.OK;
    }

    private Path home() {
        if (home != null) {
            return home;
        }
        String installation = System.getProperty(HOME_PROPERTY);
        return installation == null || installation.isBlank() ? DEFAULT_HOME : Path.of(installation);
    }

    private Path bundles() {
        return bundles != null ? bundles : ContainerHome.defaultBundles();
    }

    private void printBanner(Container container) {
        PrintWriter out = spec.commandLine().getOut();
        ContainerHome h = container.home();
        out.println("Celeriac container ready: " + container.activeBundles() + " bundles active.");
        out.println("  home:    " + h.dir());
        out.println("  deploy:  " + h.deploy() + "  (drop, replace or delete task packages and plugins)");
        out.println("  config:  " + h.celeriacConfig() + "  (changes apply without a restart)");
        String logFile = System.getProperty("org.slf4j.simpleLogger.logFile");
        if (logFile != null && !logFile.startsWith("System.")) {
            out.println("  log:     " + logFile);
        }
        if (!container.problems().isEmpty()) {
            out.println("  " + container.problems().size() + " bundles do not run (the log says why):");
            for (BundleProblem p : container.problems()) {
                out.println("    " + p.bundle() + " (" + p.state() + ")");
            }
        }
        out.println();
        configured(h).ifPresent(settings -> {
            String broker = settings.getProperty(Settings.BROKER_URL);
            String backend = settings.getProperty(Settings.RESULT_BACKEND);
            // An installation's bin/celeriac defaults to its container's embedded database; nothing else does.
            boolean installed = System.getProperty(HOME_PROPERTY) != null;
            String embedded = "sql:file:" + h.data().resolve("celeriac-data/celeriac");
            StringBuilder call = new StringBuilder(installed ? "  bin/celeriac" : "  ./celeriac")
                    .append(" call demo.add --args '[2,3]' --wait");
            if (!installed || !broker.equals(embedded) || !backend.equals(embedded)) {
                call.append(" --broker '").append(Urls.redact(broker)).append("' --backend '")
                        .append(Urls.redact(backend)).append('\'');
            }
            out.println("Call a task from another terminal:");
            out.println(call);
        });
        out.println("Stop with Ctrl-C: running tasks finish first.");
        out.flush();
    }

    /**
     * Broker and backend as etc/org.celeriac.cfg names them, {@code ${celeriac.home}} replaced; empty when the
     * file does not name both (the hint would only be a guess then).
     */
    private static Optional<Properties> configured(ContainerHome home) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(home.celeriacConfig(), StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (p.getProperty(Settings.BROKER_URL) == null || p.getProperty(Settings.RESULT_BACKEND) == null) {
            return Optional.empty();
        }
        p.replaceAll((k, v) -> v.toString().replace("${" + HOME_PROPERTY + "}", home.dir().toString()));
        return Optional.of(p);
    }
}
