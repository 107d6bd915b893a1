package org.celeriac.container;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.framework.Felix;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Celeriac's OSGi container: an embedded Apache Felix running the bundles of the installation (Config Admin,
 * Declarative Services, FileInstall, Celeriac's kernel and plugins) and what its home's {@code deploy/}
 * holds, configured from its home's {@code etc/}. FileInstall keeps watching both directories: a jar dropped
 * into {@code deploy/} is installed and started, a replaced one updated, a deleted one uninstalled; a changed
 * {@code etc/*.cfg} file changes the configuration. A bundle that cannot be installed, resolved or started
 * is logged with the reason and the container runs without it.
 */
public final class Container implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Container.class);
    /** Longer than a worker's warm shutdown (30 s): the framework stops the kernel, which stops the worker. */
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    /**
     * The cold stops of the bundles: {@link Runnable} services so marked (the kernel's runtime registers one, see
     * its {@code CeleriacRuntime}). A JDK type and a property, as no Celeriac class is shared with the bundles.
     */
    static final String COLD_STOP_FILTER = "(celeriac.stop=cold)";

    private final Felix framework;
    private final ContainerHome home;
    private final HomeLock lock;
    private final FileInstallLog fileInstallLog;
    private final List<BundleProblem> problems;

    private Container(Felix framework, ContainerHome home, HomeLock lock, FileInstallLog fileInstallLog,
                      List<BundleProblem> problems) {
        this.framework = framework;
        this.home = home;
        this.lock = lock;
        this.fileInstallLog = fileInstallLog;
        this.problems = List.copyOf(problems);
    }

    /**
     * Prepares the home (directories, and on a new home the default configuration and task packages), starts
     * the framework with the bundles directory's bundles and returns once every start level is reached.
     *
     * @throws IllegalArgumentException when the bundles directory does not exist or holds no jar
     * @throws IllegalStateException    when another container runs on the same home
     * @throws BundleException          when the framework itself cannot start
     */
    public static Container start(ContainerHome home) throws BundleException {
        return start(home, CeleriacConfig.template(), Map.of());
    }

    /**
     * The same, but a new home gets {@code newHomeConfig} as its {@code etc/org.celeriac.cfg} rather than the
     * shipped one; an existing home keeps its own.
     */
    public static Container start(ContainerHome home, String newHomeConfig) throws BundleException {
        return start(home, newHomeConfig, Map.of());
    }

    /** With some framework properties replaced (tests poll the directories faster). */
    static Container start(ContainerHome home, Map<String, String> overrides) throws BundleException {
        return start(home, CeleriacConfig.template(), overrides);
    }

    static Container start(ContainerHome home, String newHomeConfig, Map<String, String> overrides)
            throws BundleException {
        RuntimeBundles bundles = RuntimeBundles.in(home.bundles());
        HomeDirectories.prepare(home, newHomeConfig);
        Map<String, Object> properties = new HashMap<>(FrameworkProperties.of(home));
        properties.putAll(overrides);
        HomeLock lock = HomeLock.acquire(home);
        Felix framework = new Felix(properties);
        FileInstallLog fileInstallLog = new FileInstallLog();
        fileInstallLog.attach();
        try {
            framework.init();
            BundleContext context = framework.getBundleContext();
            context.addBundleListener(new DeployLog(home));
            List<BundleProblem> problems = new ArrayList<>(bundles.installInto(context));
            framework.start(); // returns once the beginning start level is reached
            problems.addAll(BundleCheck.problems(context));
            LOG.info("Container started on {} with {} bundles:", home.dir(), context.getBundles().length - 1);
            BundleCheck.log(context, problems);
            return new Container(framework, home, lock, fileInstallLog, problems);
        } catch (BundleException | RuntimeException e) {
            stop(framework);
            fileInstallLog.detach();
            lock.close();
            throw e;
        }
    }

    public ContainerHome home() {
        return home;
    }

    /** The bundles that did not install, resolve or start when the container started. */
    public List<BundleProblem> problems() {
        return problems;
    }

    /** The bundles running now, the framework itself not counted. */
    public long activeBundles() {
        return Arrays.stream(framework.getBundleContext().getBundles())
                .filter(b -> b.getBundleId() != 0 && b.getState() == Bundle.ACTIVE).count();
    }

    /** The framework's context: a way in for tests and diagnostics. */
    BundleContext context() {
        return framework.getBundleContext();
    }

    /**
     * Cold stop, as Celery's second Ctrl-C: runs the bundles' cold stops (the kernel's worker interrupts its
     * running tasks and leaves them unacknowledged, and its app's close returns the late-ack ones to the broker),
     * then stops the framework, unless it is stopping already. Returns once the cold stops have run; meant for
     * while {@link #close()} is under way on another thread, whose warm stop this cuts short and which still
     * waits for the framework and frees the home.
     */
    public void stopNow() {
        LOG.warn("Stopping the container cold");
        BundleContext context = framework.getBundleContext();
        Collection<ServiceReference<Runnable>> stops;
        try {
            stops = context.getServiceReferences(Runnable.class, COLD_STOP_FILTER);
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        } catch (IllegalStateException e) {
            stops = List.of(); // the framework has stopped already
        }
        for (ServiceReference<Runnable> reference : stops) {
            runColdStop(context, reference);
        }
        try {
            askToStop(framework); // returns at once; close() waits for it
        } catch (BundleException | IllegalStateException e) {
            LOG.warn("Cannot stop the framework: {}", e.getMessage(), e);
        }
    }

    private static void runColdStop(BundleContext context, ServiceReference<Runnable> reference) {
        try {
            Runnable stop = context.getService(reference);
            if (stop == null) {
                return; // unregistered meanwhile: its bundle stopped
            }
            try {
                stop.run();
            } finally {
                context.ungetService(reference);
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("The cold stop of bundle {} failed", reference.getBundle(), e);
        }
    }

    /** Stops every bundle, in reverse start order, then the framework, and waits for that. */
    @Override
    public void close() {
        LOG.info("Stopping the container");
        stop(framework);
        fileInstallLog.detach();
        lock.close();
    }

    /** Starts the framework's stop, unless it is stopping or stopped already; returns at once. */
    private static void askToStop(Felix framework) throws BundleException {
        if ((framework.getState() & (Bundle.STARTING | Bundle.ACTIVE)) != 0) {
            framework.stop();
        }
    }

    /** Stops the framework, unless it is stopping already, and waits until it has. */
    private static void stop(Felix framework) {
        try {
            askToStop(framework);
            FrameworkEvent event = framework.waitForStop(STOP_TIMEOUT.toMillis());
            if (event.getType() == FrameworkEvent.WAIT_TIMEDOUT) {
                LOG.warn("The framework did not stop within {} s", STOP_TIMEOUT.toSeconds());
            } else {
                LOG.info("Container stopped");
            }
        } catch (BundleException | IllegalStateException e) {
            LOG.warn("Cannot stop the framework: {}", e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("Interrupted while waiting for the framework to stop");
        }
    }
}
