package org.celeriac.osgi;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.celeriac.registry.TaskRegistry;
import org.celeriac.task.Task;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.util.tracker.BundleTracker;
import org.osgi.util.tracker.BundleTrackerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the tasks of every started bundle whose manifest names task classes in {@value Task#MANIFEST_HEADER}
 * (active, or starting under a lazy activation policy), and unregisters them when the bundle stops, is updated
 * or uninstalled. A class that cannot be loaded is logged with the reason and skipped; the rest of the package,
 * and the container, carry on.
 */
final class TaskPackageTracker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TaskPackageTracker.class);
    /** How long a package going away waits for its running tasks. */
    static final java.time.Duration RUNNING_TASKS_GRACE = java.time.Duration.ofSeconds(30);

    private final TaskRegistry registry;
    private final BundleTracker<TaskPackage> tracker;

    TaskPackageTracker(BundleContext context, TaskRegistry registry) {
        this.registry = registry;
        this.tracker = new BundleTracker<>(context, Bundle.STARTING | Bundle.ACTIVE, new Customizer());
    }

    void open() {
        tracker.open();
    }

    @Override
    public void close() {
        tracker.close();
    }

    /** The task classes of one bundle, as loaded by it, and the task names they registered. */
    record TaskPackage(Bundle bundle, List<Class<?>> classes, Set<String> names) {
    }

    private final class Customizer implements BundleTrackerCustomizer<TaskPackage> {

        @Override
        public TaskPackage addingBundle(Bundle bundle, BundleEvent event) {
            String header = bundle.getHeaders("").get(Task.MANIFEST_HEADER);
            if (header == null || header.isBlank()) {
                return null;
            }
            List<Class<?>> classes = new ArrayList<>();
            Set<String> names = new LinkedHashSet<>();
            for (String className : header.split(",")) {
                String name = className.trim();
                if (name.isEmpty()) {
                    continue;
                }
                try {
                    Class<?> type = bundle.loadClass(name);
                    Set<String> registered = registry.register(type);
                    if (registered.isEmpty()) {
                        LOG.warn("Task class {} of bundle {} declares no @Task methods (does the bundle import"
                                + " org.celeriac.task from the celeriac-spi bundle the kernel uses?)", name, label(bundle));
                    }
                    classes.add(type);
                    names.addAll(registered);
                } catch (ClassNotFoundException | LinkageError | RuntimeException e) {
                    LOG.error("Task class {} named in {} of bundle {} cannot be loaded; its tasks are not available: {}",
                            name, Task.MANIFEST_HEADER, label(bundle), e.toString());
                }
            }
            LOG.info("Task package {}: registered {}", label(bundle), names);
            return new TaskPackage(bundle, List.copyOf(classes), Set.copyOf(names));
        }

        @Override
        public void modifiedBundle(Bundle bundle, BundleEvent event, TaskPackage tasks) {
            // STARTING to ACTIVE: the same classes, nothing to do.
        }

        @Override
        public void removedBundle(Bundle bundle, BundleEvent event, TaskPackage tasks) {
            // Blocking here holds the update or uninstall back until running tasks of the old code finish,
            // while their class loader still works.
            for (ClassLoader loader : tasks.classes().stream().map(Class::getClassLoader).distinct().toList()) {
                try {
                    if (!registry.unregister(loader, RUNNING_TASKS_GRACE)) {
                        LOG.warn("Task package {} goes away with tasks still running after {}", label(bundle),
                                RUNNING_TASKS_GRACE);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            LOG.info("Task package {} went away: unregistered {}", label(bundle), tasks.names());
            restoreShadowed(tasks);
        }
    }

    /**
     * A task name registered by two packages belongs to the last one; when that one leaves, the other's task
     * would be gone too. Registers again the classes of remaining packages whose tasks went missing that way.
     */
    private void restoreShadowed(TaskPackage removed) {
        Collection<String> present = registry.names();
        for (TaskPackage other : tracker.getTracked().values()) {
            if (other.bundle().equals(removed.bundle())
                    || other.names().stream().noneMatch(n -> removed.names().contains(n) && !present.contains(n))) {
                continue;
            }
            for (Class<?> type : other.classes()) {
                try {
                    Set<String> again = registry.register(type);
                    LOG.info("Tasks {} of {} are in use again", again, label(other.bundle()));
                } catch (RuntimeException | LinkageError e) {
                    LOG.error("Cannot register task class {} of {} again: {}", type.getName(), label(other.bundle()),
                            e.toString());
                }
            }
        }
    }

    private static String label(Bundle bundle) {
        return bundle.getSymbolicName() + " " + bundle.getVersion() + " [" + bundle.getBundleId() + "]";
    }
}
