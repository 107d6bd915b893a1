package org.celeriac.osgi;

import java.nio.file.Path;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

import org.celeriac.app.Celeriac;
import org.celeriac.client.CeleriacClient;
import org.celeriac.config.Settings;
import org.celeriac.discovery.PluginCatalog;
import org.celeriac.registry.TaskRegistry;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Celeriac in the container: the task packages of all bundles in one {@link TaskRegistry}, the plugins of the
 * service registry, and an app with a worker on configuration {@value #PID} (Celery's setting names; without a
 * configuration, the defaults: the embedded SQL broker and backend). While the app is open its
 * {@link CeleriacClient} is a service, for other bundles to send tasks, and so is the {@link Celeriac} app itself,
 * for bundles that follow its events or use its remote control (the monitor; they must not close it); the registry
 * is a service for as long as this component is active.
 *
 * <p>With {@code beat_enabled} a beat runs beside the worker ({@link BeatListener}): the entries of
 * {@code beat_schedule_file}, of the deployed packages' {@code @Periodic} tasks and of its store.
 *
 * <p>A configuration change restarts the app and worker (and beat) on the new settings; the framework keeps running.
 *
 * <p>For as long as this component is active, its cold stop is a {@link Runnable} service with the property
 * {@value #STOP_PROPERTY}{@code =}{@value #STOP_COLD}: running it stops the worker as Celery's second Ctrl-C does
 * (running tasks interrupted and left unacknowledged, late-ack ones returned to the broker as the app closes),
 * for good, and returns once the app is closed, or at once when a stop is under way on another thread, which it
 * cuts short. A JDK type, so that the launcher outside the framework, which has its own copies of Celeriac's
 * classes or none, can find and run it: it runs every {@code (celeriac.stop=cold)} service on a second stop
 * signal, then stops the framework.
 */
@Component(configurationPid = CeleriacRuntime.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true)
public final class CeleriacRuntime {
    private static final Logger LOG = LoggerFactory.getLogger(CeleriacRuntime.class);

    /** The configuration's persistent id: {@code etc/org.celeriac.cfg} under FileInstall. */
    static final String PID = "org.celeriac";
    /** The service property that marks a stop service; the container looks for its {@value #STOP_COLD} value. */
    static final String STOP_PROPERTY = "celeriac.stop";
    /** {@value #STOP_PROPERTY} of the {@link Runnable} that stops cold. */
    static final String STOP_COLD = "cold";
    /** The framework property the container sets to its home directory: what a relative schedule file is in. */
    static final String HOME_PROPERTY = "celeriac.home";
    /** The framework property the container sets to its data directory: what a relative {@code file:} store is in. */
    static final String DATA_PROPERTY = "celeriac.data";

    private final TaskRegistry tasks = new TaskRegistry();
    private TaskPackageTracker packages;
    private OsgiPluginCatalog plugins;
    private AppSupervisor supervisor;
    private ServiceRegistration<TaskRegistry> registryRegistration;
    private ServiceRegistration<Runnable> coldStopRegistration;
    private BundleContext context;
    private SynchronousBundleListener stopping;

    @Activate
    void activate(BundleContext context, Map<String, Object> properties) {
        this.context = context;
        // Tasks first, so that the worker starts with the packages already installed.
        packages = new TaskPackageTracker(context, tasks);
        packages.open();
        plugins = new OsgiPluginCatalog(context);
        // The beat after the client: it starts once the client is published and stops before it is withdrawn.
        supervisor = new AppSupervisor(plugins, tasks, AppSupervisor.AppListener.all(List.of(
                new ClientPublisher(context), new BeatListener(tasks, plugins, directory(context, HOME_PROPERTY),
                        directory(context, DATA_PROPERTY)))));
        plugins.addListener(supervisor);
        plugins.open();
        registryRegistration = context.registerService(TaskRegistry.class, tasks, null);
        Runnable coldStop = supervisor::stopNow;
        Hashtable<String, Object> coldStopProperties = new Hashtable<>();
        coldStopProperties.put(STOP_PROPERTY, STOP_COLD);
        coldStopRegistration = context.registerService(Runnable.class, coldStop, coldStopProperties);
        stopping = this::stopBeforeTheRest;
        context.addBundleListener(stopping);
        configure(properties);
    }

    /**
     * When the framework or this bundle stops, the worker stops first, while the task packages and plugins are
     * all still there: the warm stop can give prefetched messages back, and no message meets a missing task.
     */
    private void stopBeforeTheRest(BundleEvent event) {
        Bundle bundle = event.getBundle();
        if (event.getType() == BundleEvent.STOPPING && (bundle.getBundleId() == Constants.SYSTEM_BUNDLE_ID
                || bundle.equals(context.getBundle()))) {
            supervisor.close();
        }
    }

    @Modified
    void modified(Map<String, Object> properties) {
        configure(properties);
    }

    @Deactivate
    void deactivate() {
        try {
            context.removeBundleListener(stopping);
        } catch (IllegalStateException e) {
            // the bundle context is no longer valid: the bundle is stopping
        }
        for (ServiceRegistration<?> registration : List.of(coldStopRegistration, registryRegistration)) {
            try {
                registration.unregister();
            } catch (IllegalStateException e) {
                // unregistered already: the bundle is stopping
            }
        }
        supervisor.close();
        plugins.close();
        packages.close();
    }

    private void configure(Map<String, Object> properties) {
        try {
            supervisor.configure(RuntimeConfig.from(properties));
        } catch (IllegalArgumentException e) {
            LOG.error("Configuration {} is not valid, nothing changes until it is: {}", PID, e.getMessage());
        }
    }

    /** A directory a framework property names, or null without it (a framework other than the container). */
    private static Path directory(BundleContext context, String property) {
        String value = context.getProperty(property);
        return value == null || value.isBlank() ? null : Path.of(value.trim());
    }

    /** Registers the open app's client, and the app, as services, and withdraws them before the app closes. */
    private static final class ClientPublisher implements AppSupervisor.AppListener {
        private final BundleContext context;
        private ServiceRegistration<CeleriacClient> registration; // on the supervisor's thread only
        private ServiceRegistration<Celeriac> appRegistration; // on the supervisor's thread only

        ClientPublisher(BundleContext context) {
            this.context = context;
        }

        @Override
        public void opened(Celeriac app) {
            Settings settings = app.settings();
            Hashtable<String, Object> properties = new Hashtable<>();
            // Schemes, not URLs: URLs may carry passwords.
            properties.put("celeriac.broker.scheme", PluginCatalog.schemeOf(settings.get(Settings.BROKER_URL)));
            properties.put("celeriac.backend.scheme", PluginCatalog.schemeOf(settings.get(Settings.RESULT_BACKEND)));
            properties.put("celeriac.default_queue", settings.get(Settings.TASK_DEFAULT_QUEUE));
            registration = context.registerService(CeleriacClient.class, app.client(), properties);
            appRegistration = context.registerService(Celeriac.class, app, properties);
        }

        @Override
        public void closing(Celeriac app) {
            for (ServiceRegistration<?> r : java.util.Arrays.asList(appRegistration, registration)) {
                if (r == null) {
                    continue;
                }
                try {
                    r.unregister();
                } catch (IllegalStateException e) {
                    // unregistered already: the bundle is stopping
                }
            }
            appRegistration = null;
            registration = null;
        }
    }
}
