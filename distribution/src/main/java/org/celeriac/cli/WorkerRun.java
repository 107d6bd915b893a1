package org.celeriac.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;

import org.celeriac.app.Celeriac;
import org.celeriac.config.Settings;
import org.celeriac.worker.DispatchOptions;
import org.celeriac.worker.Worker;
import org.celeriac.worker.WorkerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a worker, without OSGi, until it is asked to stop: {@code celeriac worker}. */
final class WorkerRun {
    private static final Logger LOG = LoggerFactory.getLogger(WorkerRun.class);

    private final CeleriacCommand root;
    private final PrintWriter out;

    WorkerRun(CeleriacCommand root, PrintWriter out) {
        this.root = root;
        this.out = out;
    }

    /**
     * Opens the app, registers the demo tasks (and any other task package on the class path) and those of
     * {@code taskPaths}, runs a worker, and on a stop request shuts it down warm: no new messages, running
     * tasks finish, prefetched ones go back to the broker. A second request stops it cold: running tasks are
     * interrupted and left unacknowledged, and closing the app returns late-ack ones to the broker.
     */
    int run(Settings settings, List<Path> taskPaths) throws Exception {
        return run(settings, taskPaths, false);
    }

    /** @param withBeat also run beat (-B), started after the worker and stopped before it */
    int run(Settings settings, List<Path> taskPaths, boolean withBeat) throws Exception {
        // First of all, so that a signal from now on means a warm shutdown rather than an abrupt exit.
        StopRequest stop = root.context().stopRequests().get();
        try (TaskJars jars = TaskJars.open(taskPaths, WorkerRun.class.getClassLoader());
             Celeriac app = root.open(settings)) {
            app.tasks().registerPackages(WorkerRun.class.getClassLoader());
            jars.loader().ifPresent(app.tasks()::registerPackages);
            if (app.tasks().names().isEmpty()) {
                LOG.warn("No tasks registered: every message will be dead-lettered as unregistered");
            }
            WorkerOptions options = app.workerOptions();
            DispatchOptions dispatch = app.dispatchOptions();
            // Celery's remote shutdown stops this process as SIGTERM does
            app.onShutdownCommand(stop::request);
            Worker worker = app.worker(options, dispatch);
            stop.onCold(worker::stopNow);
            worker.start();
            try (BeatRun beat = withBeat ? new BeatRun(app) : null) {
                if (beat != null) {
                    beat.start();
                }
                printBanner(app, options, dispatch, beat);
                try {
                    stop.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            worker.stop();
        } finally {
            stop.stopped();
        }
        // After a cold stop, once closing the app gave the unsettled messages back to the broker.
        return stop.exitCode();
    }

    private void printBanner(Celeriac app, WorkerOptions options, DispatchOptions dispatch, BeatRun beat) {
        Settings s = app.settings();
        String broker = s.get(Settings.BROKER_URL);
        String backend = s.get(Settings.RESULT_BACKEND);
        out.println("Worker " + options.hostname() + " ready.");
        out.println("  broker:      " + Urls.redact(broker));
        out.println("  backend:     " + Urls.redact(backend));
        String silence = BackendProbe.silence(app.backend());
        if (silence != null) {
            // said once, at start, naming the server; each result is then retried as it is stored
            LOG.warn("The result backend {} does not answer: {}", Urls.redact(backend), silence);
            out.println("               does not answer: " + silence + "; results are retried as they are stored");
        }
        out.println("  queues:      " + String.join(", ", options.queues()));
        String size = dispatch.pool() == DispatchOptions.Pool.SOLO ? "1 (solo)"
                : dispatch.autoscale() != null ? "autoscale " + dispatch.autoscale().max() + "," + dispatch.autoscale().min()
                : Integer.toString(options.concurrency());
        out.println("  concurrency: " + size + " (" + (dispatch.disablePrefetch() ? "prefetch disabled"
                : "prefetch multiplier " + options.prefetchMultiplier())
                + ", acks " + (options.acksLate() ? "late" : "early") + ")");
        out.println("  pool:        " + dispatch.pool().name().toLowerCase(java.util.Locale.ROOT));
        if (!options.acceptContent().equals(java.util.List.of("json"))) {
            // with Celery's auth serializer, say whose signatures it takes: the one thing to check when tasks fail
            boolean signed = options.acceptContent().stream().anyMatch(a -> a.equals("auth")
                    || a.equals("application/data"));
            out.println("  accepts:     " + String.join(", ", options.acceptContent())
                    + (signed ? " (signed by a certificate of " + s.get(Settings.SECURITY_CERT_STORE) + ")" : ""));
        }
        out.println("  tasks:       " + String.join(", ", app.tasks().names()));
        if (beat != null) {
            out.println("  beat:        " + beat.beat().settings().holder() + " on " + beat.describeStore(s) + ", entries: "
                    + String.join(", ", beat.beat().entries().keySet()));
        }
        out.println();
        out.println("Call a task from another terminal:");
        StringBuilder call = new StringBuilder("  ./celeriac call demo.add --args '[2,3]' --wait");
        // A call reaches this worker only through the same broker and backend.
        if (!Settings.EMBEDDED_SQL.equals(broker)) {
            call.append(" --broker '").append(Urls.redact(broker)).append('\'');
        }
        if (!Settings.EMBEDDED_SQL.equals(backend)) {
            call.append(" --backend '").append(Urls.redact(backend)).append('\'');
        }
        out.println(call);
        out.println("Stop with Ctrl-C: running tasks finish first; a second Ctrl-C interrupts them.");
        out.flush();
    }
}
