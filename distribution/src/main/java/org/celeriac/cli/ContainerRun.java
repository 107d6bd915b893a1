package org.celeriac.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

import org.celeriac.config.Settings;
import org.celeriac.container.BundleProblem;
import org.celeriac.container.CeleriacConfig;
import org.celeriac.container.Container;
import org.celeriac.container.ContainerHome;

/** Runs the OSGi container until it is asked to stop: what {@code container} and {@code start} share. */
final class ContainerRun {

    private final CeleriacCommand root;
    private final PrintWriter out;

    ContainerRun(CeleriacCommand root, PrintWriter out) {
        this.root = root;
        this.out = out;
    }

    /**
     * Starts the container on {@code home}, prints how to use it, and on a stop request stops it warm: every
     * bundle stops in reverse order, the worker finishes its running tasks. A second request stops it cold: the
     * worker interrupts its running tasks and leaves them unacknowledged, its app's close returns the late-ack
     * ones to the broker, and the framework stops.
     *
     * @param newHomeConfig the {@code etc/org.celeriac.cfg} the home gets if it is new
     * @param started       told once the container runs, before the banner
     */
    int run(ContainerHome home, String newHomeConfig, Consumer<ContainerHome> started) throws Exception {
        // First of all, so that a signal from now on means a warm shutdown rather than an abrupt exit.
        StopRequest stop = root.context().stopRequests().get();
        try (Container container = Container.start(home, newHomeConfig)) {
            stop.onCold(container::stopNow);
            started.accept(container.home());
            printBanner(container);
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } finally {
            stop.stopped();
        }
        // After a cold stop, once the framework stopped and the unsettled messages are back on the broker.
        return stop.exitCode();
    }

    /** The directory this command runs in: what the embedded database's relative paths are relative to. */
    static Path workingDirectory() {
        return Path.of("").toAbsolutePath();
    }

    private void printBanner(Container container) {
        ContainerHome h = container.home();
        out.println("Celeriac container ready: " + container.activeBundles() + " bundles active.");
        out.println("  home:    " + h.dir());
        out.println("  deploy:  " + h.deploy() + "  (drop, replace or delete task packages and plugins)");
        out.println("  config:  " + h.celeriacConfig() + "  (changes apply without a restart)");
        Settings configured = configured(h);
        Path workDir = workingDirectory();
        String broker = configured == null ? null : DatabaseUrls.broker(configured, workDir);
        String backend = configured == null ? null : DatabaseUrls.backend(configured, workDir);
        if (configured != null) {
            out.println("  broker:  " + Urls.redact(broker));
            out.println("  backend: " + Urls.redact(backend));
        }
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
        if (configured != null) {
            out.println("Call a task from another terminal:");
            out.println(callHint(broker, backend, workDir));
        }
        out.println("Stop with Ctrl-C: running tasks finish first; a second Ctrl-C interrupts them.");
        out.flush();
    }

    /**
     * A call that reaches the container: with {@code --broker} and {@code --backend} only where the container's
     * differ from those that {@code call} run from here finds in its settings (the environment, ./celeriac.properties,
     * the defaults).
     */
    private String callHint(String broker, String backend, Path workDir) {
        Settings fromHere;
        try {
            fromHere = Settings.resolve(Map.of(), root.context().environment(), SettingsOptions.DEFAULT_FILE);
        } catch (IllegalArgumentException e) {
            fromHere = null; // an unreadable settings file: name both, call would fail without them anyway
        }
        StringBuilder call = new StringBuilder(ContainerOptions.installed() ? "  bin/celeriac" : "  ./celeriac")
                .append(" call demo.add --args '[2,3]' --wait");
        if (fromHere == null || !broker.equals(DatabaseUrls.broker(fromHere, workDir))) {
            call.append(" --broker '").append(Urls.redact(broker)).append('\'');
        }
        if (fromHere == null || !backend.equals(DatabaseUrls.backend(fromHere, workDir))) {
            call.append(" --backend '").append(Urls.redact(backend)).append('\'');
        }
        return call.toString();
    }

    /**
     * What the container's runtime runs on: etc/org.celeriac.cfg, the defaults for what it does not set; null
     * when the file cannot be read.
     */
    private static Settings configured(ContainerHome home) {
        try {
            return Settings.of(CeleriacConfig.read(home));
        } catch (UncheckedIOException e) {
            return null;
        }
    }
}
