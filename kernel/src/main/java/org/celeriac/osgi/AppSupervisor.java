package org.celeriac.osgi;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.celeriac.app.Celeriac;
import org.celeriac.config.Settings;
import org.celeriac.discovery.PluginCatalog;
import org.celeriac.spi.events.EventSink;
import org.celeriac.registry.TaskRegistry;
import org.celeriac.security.MessageSigning;
import org.celeriac.spi.backend.ResultBackendFactory;
import org.celeriac.spi.beat.ScheduleStoreFactory;
import org.celeriac.spi.serializer.Serializer;
import org.celeriac.spi.transport.TransportFactory;
import org.celeriac.worker.Worker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one app, and its worker unless disabled, open on the wanted configuration whenever the plugins it
 * needs are in the catalog. Pauses (warm worker stop, then app close) when a plugin in use goes away or the
 * configuration changes, and resumes when it can. All of that happens on one thread of its own, because
 * opening a database or stopping a worker takes seconds and must not hold up the framework; failures are
 * logged and waited out, never thrown at the caller.
 */
final class AppSupervisor implements PluginListener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AppSupervisor.class);

    /**
     * How long the thread removing a plugin in use waits for the pause: longer than a warm worker stop
     * (consumer join, then the running tasks' shutdown timeout).
     */
    static final Duration PAUSE_WAIT = Duration.ofSeconds(60);
    private static final long FIRST_RETRY_MILLIS = 1_000;
    private static final long MAX_RETRY_MILLIS = 60_000;

    /** Told when an app is open and when it is about to close. Called on the supervisor's thread. */
    interface AppListener {
        void opened(Celeriac app);

        void closing(Celeriac app);

        /**
         * These listeners as one: told of an open app in their order, of its closing in the reverse order (what
         * started last stops first), each closing even when one before it fails.
         */
        static AppListener all(List<AppListener> listeners) {
            List<AppListener> inOrder = List.copyOf(listeners);
            return new AppListener() {
                @Override
                public void opened(Celeriac app) {
                    inOrder.forEach(l -> l.opened(app));
                }

                @Override
                public void closing(Celeriac app) {
                    RuntimeException failure = null;
                    for (int i = inOrder.size() - 1; i >= 0; i--) {
                        try {
                            inOrder.get(i).closing(app);
                        } catch (RuntimeException e) {
                            if (failure == null) {
                                failure = e;
                            } else {
                                failure.addSuppressed(e);
                            }
                        }
                    }
                    if (failure != null) {
                        throw failure;
                    }
                }
            };
        }
    }

    private final PluginCatalog catalog;
    private final TaskRegistry tasks;
    private final AppListener listener;
    private final ScheduledExecutorService executor;
    private volatile Thread thread;
    /** The plugins the open (or opening) app uses; read by plugin listeners on other threads. */
    private volatile Set<Object> pluginsInUse = Set.of();
    private volatile boolean closed;
    /** Set by {@link #stopNow()}: a stop from now on is cold. */
    private volatile boolean cold;
    /** The worker of the open app, or the one in a warm stop: what {@link #stopNow()} interrupts. */
    private volatile Worker worker;

    // Confined to the supervisor's thread.
    private RuntimeConfig wanted;
    private Running running;
    private String waitingFor;
    private ScheduledFuture<?> retry;
    private long retryMillis = FIRST_RETRY_MILLIS;

    /** The open app, its worker (null when disabled), and the plugins it was opened with. */
    private record Running(RuntimeConfig config, Celeriac app, Worker worker, Set<Object> plugins) {
    }

    AppSupervisor(PluginCatalog catalog, TaskRegistry tasks, AppListener listener) {
        this.catalog = catalog;
        this.tasks = tasks;
        this.listener = listener;
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "celeriac-runtime");
            t.setDaemon(true);
            thread = t;
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.executor = executor;
    }

    /** Runs (or restarts on) this configuration, as soon as its plugins are there. Returns at once. */
    void configure(RuntimeConfig config) {
        submit(() -> {
            wanted = config;
            cancelRetry();
            reconcile();
        });
    }

    @Override
    public void pluginAdded(Object plugin) {
        submit(this::reconcile);
    }

    /**
     * Pauses before returning when the plugin is in use: once the registry has told us a service is going,
     * we must be done with it before we return, as its provider is deactivated right after.
     */
    @Override
    public void pluginRemoved(Object plugin) {
        if (pluginsInUse.contains(plugin)) {
            runAndWait(this::reconcile);
        } else {
            submit(this::reconcile);
        }
    }

    /** Stops the worker and closes the app, then the thread; for good. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        runAndWait(() -> {
            closed = true;
            cancelRetry();
            stop("the runtime is shutting down");
        });
        closed = true;
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Cold stop, for good, as Celery's second Ctrl-C: the worker (running, or in a warm stop under way on the
     * supervisor's thread) interrupts its running tasks and leaves them unacknowledged, gives back what it took
     * ahead, and the app's close then returns the late-ack ones to the broker. Otherwise as {@link #close()}:
     * returns once the app is closed, or at once when a close is under way on another thread (which this cuts
     * short).
     */
    void stopNow() {
        cold = true;
        Worker w = worker;
        if (w != null) {
            quietly(w::stopNow, "stop the worker cold");
        }
        close();
    }

    /** Waits until the work submitted so far is done. For tests. */
    void awaitQuiet() {
        runAndWait(() -> { });
    }

    /** Brings what runs in line with what is wanted and available. */
    private void reconcile() {
        if (running != null) {
            String reason = closed ? "the runtime is shutting down" : reasonToStop(running);
            if (reason == null) {
                return;
            }
            stop(reason);
        }
        if (!closed && wanted != null) {
            start(wanted);
        }
    }

    private String reasonToStop(Running r) {
        if (!r.config().equals(wanted)) {
            return "the configuration changed";
        }
        Set<Object> available = identitySet(catalog.transports(), catalog.backends(), catalog.serializers());
        for (Object plugin : r.plugins()) {
            if (!available.contains(plugin)) {
                return "plugin " + plugin.getClass().getName() + " went away (it resumes when there is one again)";
            }
        }
        return null;
    }

    private void start(RuntimeConfig config) {
        Settings settings = config.settings();
        // One consistent view: the app, its worker and our bookkeeping all use the same plugin objects.
        PluginSnapshot plugins = new PluginSnapshot(catalog.transports(), catalog.backends(), catalog.serializers(),
                catalog);
        Celeriac app = null;
        Worker worker = null;
        try {
            String missing = plugins.missingFor(settings);
            if (missing != null) {
                if (!missing.equals(waitingFor)) {
                    LOG.warn("Celeriac is waiting for {}", missing);
                    waitingFor = missing;
                }
                return;
            }
            waitingFor = null;
            Set<Object> used = plugins.usedBy(settings);
            pluginsInUse = used;
            app = Celeriac.open(settings, plugins, tasks);
            if (config.workerEnabled()) {
                worker = app.worker(app.workerOptions());
                worker.start();
                this.worker = worker;
            }
            running = new Running(config, app, worker, used);
            listener.opened(app);
            retryMillis = FIRST_RETRY_MILLIS;
            LOG.info("Celeriac is running: broker '{}', result backend '{}', {}",
                    PluginCatalog.schemeOf(settings.get(Settings.BROKER_URL)),
                    PluginCatalog.schemeOf(settings.get(Settings.RESULT_BACKEND)),
                    worker == null ? "no worker (" + RuntimeConfig.WORKER_ENABLED + " = false)"
                            : "worker " + worker.options().hostname() + " on " + worker.options().queues());
        } catch (IllegalArgumentException e) {
            abandon(app, worker);
            // Trying again would fail the same way; a new configuration (or plugin) triggers the next attempt.
            LOG.error("Celeriac cannot start with configuration {}: {}. Waiting for a corrected configuration.",
                    CeleriacRuntime.PID, e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            abandon(app, worker);
            if (retryMillis == FIRST_RETRY_MILLIS) {
                LOG.error("Celeriac cannot start; trying again in {} s", retryMillis / 1000, e);
            } else { // the stack trace was logged on the first failure
                LOG.error("Celeriac cannot start ({}); trying again in {} s", e.toString(), retryMillis / 1000);
            }
            scheduleRetry();
        }
    }

    /** Cleans up after a failed start. */
    private void abandon(Celeriac app, Worker worker) {
        Running partial = running;
        running = null;
        this.worker = null;
        pluginsInUse = Set.of();
        if (partial != null) {
            quietly(() -> listener.closing(partial.app()), "withdraw the client");
        }
        if (worker != null) {
            quietly(worker::stop, "stop the worker");
        }
        if (app != null) {
            quietly(app::close, "close the broker and backend connections");
        }
    }

    /**
     * Warm stop (cold after {@link #stopNow()}): no new sends through our client, the worker gives back what it
     * took ahead, then the app closes.
     */
    private void stop(String reason) {
        Running r = running;
        if (r == null) {
            return;
        }
        running = null;
        LOG.info("Celeriac is stopping its worker and closing its app: {}", reason);
        quietly(() -> listener.closing(r.app()), "withdraw the client");
        if (r.worker() != null) {
            if (cold) { // asked for before this worker was there to interrupt
                quietly(r.worker()::stopNow, "stop the worker cold");
            }
            quietly(r.worker()::stop, "stop the worker");
        }
        worker = null;
        quietly(r.app()::close, "close the broker and backend connections");
        pluginsInUse = Set.of();
        LOG.info("Celeriac's worker is stopped and its app closed");
    }

    private void scheduleRetry() {
        cancelRetry();
        long delay = retryMillis;
        retryMillis = Math.min(retryMillis * 2, MAX_RETRY_MILLIS);
        try {
            retry = executor.schedule(() -> guarded(this::reconcile), delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void cancelRetry() {
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
        retryMillis = FIRST_RETRY_MILLIS;
    }

    private void submit(Runnable work) {
        if (closed) {
            return;
        }
        try {
            executor.execute(() -> guarded(work));
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void runAndWait(Runnable work) {
        if (Thread.currentThread() == thread) {
            guarded(work); // re-entered from our own thread (an event caused by what it does)
            return;
        }
        Future<?> done;
        try {
            done = executor.submit(() -> guarded(work));
        } catch (RejectedExecutionException e) {
            return;
        }
        try {
            done.get(PAUSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.error("Celeriac did not finish pausing within {}; carrying on without waiting", PAUSE_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.error("Unexpected failure in the Celeriac runtime", e.getCause());
        }
    }

    private static void guarded(Runnable work) {
        try {
            work.run();
        } catch (RuntimeException | LinkageError e) {
            LOG.error("Unexpected failure in the Celeriac runtime; it carries on", e);
        }
    }

    private static void quietly(Runnable step, String what) {
        try {
            step.run();
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("Cannot {} cleanly", what, e);
        }
    }

    @SafeVarargs
    private static Set<Object> identitySet(List<?>... lists) {
        Set<Object> set = Collections.newSetFromMap(new IdentityHashMap<>());
        for (List<?> list : lists) {
            set.addAll(list);
        }
        return set;
    }

    /**
     * The catalog's plugins at one moment: the app keeps using these objects, whatever the registry does next. Event
     * sinks are the exception, read live: they come and go while the app runs, without stopping it.
     */
    private record PluginSnapshot(List<TransportFactory> transports, List<ResultBackendFactory> backends,
                                  List<Serializer> serializers, PluginCatalog live) implements PluginCatalog {

        @Override
        public List<EventSink> eventSinks() {
            return live.eventSinks();
        }

        /** Read live too: no app depends on a schedule store, beat looks one up when it starts. */
        @Override
        public List<ScheduleStoreFactory> scheduleStores() {
            return live.scheduleStores();
        }

        PluginSnapshot {
            transports = List.copyOf(transports);
            backends = List.copyOf(backends);
            serializers = List.copyOf(serializers);
        }

        /** What is missing for these settings, in words, or null when nothing is. */
        String missingFor(Settings settings) {
            String broker = PluginCatalog.schemeOf(settings.get(Settings.BROKER_URL));
            if (transports.stream().noneMatch(f -> f.schemes().contains(broker))) {
                return "a transport plugin for scheme '" + broker + "' (broker_url); available: "
                        + transports.stream().flatMap(f -> f.schemes().stream()).sorted().toList();
            }
            String backend = PluginCatalog.schemeOf(settings.get(Settings.RESULT_BACKEND));
            if (backends.stream().noneMatch(f -> f.schemes().contains(backend))) {
                return "a result backend plugin for scheme '" + backend + "' (result_backend); available: "
                        + backends.stream().flatMap(f -> f.schemes().stream()).sorted().toList();
            }
            for (String name : serializerNames(settings)) {
                if (serializers.stream().noneMatch(s -> s.name().equals(name) || s.contentType().equals(name))) {
                    return "a serializer '" + name + "'";
                }
            }
            return null;
        }

        Set<Object> usedBy(Settings settings) {
            List<Object> used = new ArrayList<>();
            used.add(transportFor(settings.get(Settings.BROKER_URL)));
            used.add(backendFor(settings.get(Settings.RESULT_BACKEND)));
            serializerNames(settings).forEach(name -> used.add(serializer(name)));
            return Collections.unmodifiableSet(identitySet(used));
        }

        /**
         * The client's task serializer, the accepted ones, and JSON for results; not {@code auth}, which the kernel
         * makes of the settings, around JSON.
         */
        private static List<String> serializerNames(Settings settings) {
            List<String> names = new ArrayList<>();
            names.add(settings.get(Settings.TASK_SERIALIZER));
            names.addAll(settings.getList(Settings.ACCEPT_CONTENT));
            names.removeIf(MessageSigning::isAuth);
            names.add("json");
            return names;
        }
    }
}
