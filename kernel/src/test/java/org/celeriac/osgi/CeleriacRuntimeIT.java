package org.celeriac.osgi;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Predicate;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;

/**
 * The kernel bundle in a real Felix with SCR and Config Admin: configuration {@code org.celeriac} starts an app
 * and worker, task packages come and go as bundles, the client is a service while the transport is there.
 *
 * <p>The Celeriac classes on this test's class path are other copies than the bundles' (the kernel and SPI
 * bundles are installed from their jars), so the test reaches services by class name and calls them by
 * reflection; only JDK types cross over.
 */
class CeleriacRuntimeIT {

    private static final String CLIENT = "org.celeriac.client.CeleriacClient";
    private static final String REGISTRY = "org.celeriac.registry.TaskRegistry";
    private static final String APP = "org.celeriac.app.Celeriac";
    private static final String TASK = "itest.multiply";
    /** Named, never loaded here: the bundles load their own copies. */
    private static final String ARITHMETIC = "org.celeriac.itest.tasks.ArithmeticTasks";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path storage;

    private Framework framework;
    private BundleContext context;

    @BeforeEach
    void boot() throws Exception {
        Map<String, String> config = Map.of(
                Constants.FRAMEWORK_STORAGE, storage.toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT,
                // SLF4J is the launcher's, as in the container.
                Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "org.slf4j;version=" + System.getProperty("celeriac.it.slf4j.version"));
        framework = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow().newFramework(config);
        framework.start();
        context = framework.getBundleContext();
        List<Bundle> bundles = new ArrayList<>();
        for (String path : System.getProperty("celeriac.it.bundles").split(",")) {
            bundles.add(context.installBundle(Path.of(path.trim()).toUri().toString()));
        }
        for (Bundle b : bundles) {
            b.start();
        }
    }

    @AfterEach
    void shutDown() throws Exception {
        if (framework != null) {
            framework.stop();
            framework.waitForStop(WAIT.toMillis());
        }
    }

    @Test
    void runsTheTasksOfInstalledPackagesAndDropsThoseOfUninstalledOnes() throws Exception {
        configure(Map.of("broker_url", "memory://itest", "result_backend", "memory://itest"));
        Object client = awaitService(CLIENT, ref -> true);

        Bundle tasks = installTaskPackage();
        assertThat(taskNames()).contains(TASK);
        assertThat(multiply(client, 6, 7)).isEqualTo(42L);

        tasks.uninstall();
        assertThat(taskNames()).doesNotContain(TASK);

        installTaskPackage();
        assertThat(multiply(client, 3, 5)).isEqualTo(15L);
    }

    @Test
    void aPackageNamingAClassThatCannotLoadRegistersTheOthers() throws Exception {
        configure(Map.of("broker_url", "memory://itest", "result_backend", "memory://itest"));
        Object client = awaitService(CLIENT, ref -> true);

        Bundle tasks = installTaskPackage("org.celeriac.itest.broken", "org.celeriac.itest.tasks.Missing, " + ARITHMETIC);

        assertThat(tasks.getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(multiply(client, 9, 9)).isEqualTo(81L);
    }

    @Test
    void whenThePackageThatTookOverATaskLeavesThePreviousOneServesItAgain() throws Exception {
        configure(Map.of("broker_url", "memory://itest", "result_backend", "memory://itest"));
        Object client = awaitService(CLIENT, ref -> true);
        installTaskPackage("org.celeriac.itest.first", ARITHMETIC);
        Bundle second = installTaskPackage("org.celeriac.itest.second", ARITHMETIC);

        second.uninstall();

        assertThat(taskNames()).contains(TASK);
        assertThat(multiply(client, 2, 3)).isEqualTo(6L);
    }

    @Test
    void pausesWhileTheTransportIsGoneAndResumesWhenItIsBack() throws Exception {
        installTaskPackage();
        configure(Map.of("broker_url", "memory://itest", "result_backend", "memory://itest"));
        awaitService(CLIENT, ref -> true);
        awaitService(APP, ref -> true);

        setComponentEnabled("org.celeriac.memory.MemoryTransportFactory", false);
        assertThat(context.getServiceReferences(CLIENT, null)).as("client services while paused").isNull();
        assertThat(context.getServiceReferences(APP, null)).as("app services while paused").isNull();

        setComponentEnabled("org.celeriac.memory.MemoryTransportFactory", true);
        Object client = awaitService(CLIENT, ref -> true);
        assertThat(multiply(client, 2, 21)).isEqualTo(42L);
        assertThat(awaitService(APP, ref -> "memory".equals(ref.getProperty("celeriac.broker.scheme")))).isNotNull();
    }

    @Test
    void aNewConfigurationRestartsTheWorkerOnItsSettings() throws Exception {
        installTaskPackage();
        configure(Map.of("broker_url", "memory://itest", "result_backend", "memory://itest"));
        awaitService(CLIENT, ref -> "celery".equals(ref.getProperty("celeriac.default_queue")));

        configure(Map.of("broker_url", "memory://itest", "result_backend", "memory://itest",
                "task_default_queue", "reconfigured", "worker_queues", "reconfigured"));

        Object client = awaitService(CLIENT, ref -> "reconfigured".equals(ref.getProperty("celeriac.default_queue")));
        assertThat(multiply(client, 4, 4)).isEqualTo(16L);
    }

    @Test
    void itsColdStopIsARunnableServiceThatInterruptsTheRunningTaskAndClosesTheApp() throws Exception {
        installTaskPackage();
        configure(Map.of("broker_url", "memory://itest", "result_backend", "memory://itest",
                "task_acks_late", "true", "task_track_started", "true", "worker_concurrency", "1"));
        Object client = awaitService(CLIENT, ref -> true);
        Object running = call(client, "send", "itest.sleep", List.of(60_000L), Map.of());
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!"STARTED".equals(call(running, "state").toString())) {
            assertThat(System.nanoTime()).as("the task started within %s", WAIT).isLessThan(deadline);
            Thread.sleep(20);
        }

        // As the container finds it from outside the bundles' class space: by a JDK type and a property.
        Collection<ServiceReference<Runnable>> stops = context.getServiceReferences(Runnable.class, "(celeriac.stop=cold)");
        assertThat(stops).hasSize(1);
        long start = System.nanoTime();
        context.getService(stops.iterator().next()).run();

        // A warm stop would wait for the task up to the shutdown timeout (30 s).
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WAIT);
        assertThat(context.getServiceReferences(CLIENT, null)).as("client services once stopped").isNull();
    }

    /** Creates or updates configuration org.celeriac through Config Admin, as FileInstall does for etc/org.celeriac.cfg. */
    @Test
    void anEventSinkServiceHearsTheWorkersTaskEvents() throws Exception {
        // The sink implements the SPI bundle's EventSink, as a task package's would: a proxy of that class.
        Class<?> sinkType = spiClass("org.celeriac.spi.events.EventSink");
        List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
        Object sink = java.lang.reflect.Proxy.newProxyInstance(sinkType.getClassLoader(), new Class<?>[] {sinkType},
                (proxy, method, args) -> {
                    if (method.getName().equals("emit")) {
                        heard.add((String) call(args[0], "type"));
                    } else if (method.getName().equals("emitAll")) {
                        for (Object e : (List<?>) args[0]) {
                            heard.add((String) call(e, "type"));
                        }
                    }
                    return method.getName().equals("hashCode") ? System.identityHashCode(proxy)
                            : method.getName().equals("equals") ? proxy == args[0] : null;
                });
        context.registerService(sinkType.getName(), sink, null);
        configure(Map.of("broker_url", "memory://itest", "result_backend", "memory://itest",
                "worker_send_task_events", "true"));
        Object client = awaitService(CLIENT, ref -> true);
        installTaskPackage();

        assertThat(multiply(client, 6, 7)).isEqualTo(42L);

        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!heard.contains("task-succeeded") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(heard).contains("worker-online", "task-received", "task-started", "task-succeeded");
    }

    @Test
    void theFileScheduleStoreIsAServiceForFileUrls() throws Exception {
        // the in-memory store is a component of the kernel too: pick the file store by its component name
        Object factory = awaitService("org.celeriac.spi.beat.ScheduleStoreFactory",
                ref -> "org.celeriac.beat.FileScheduleStoreFactory".equals(ref.getProperty("component.name")));

        assertThat(factory.getClass().getName()).isEqualTo("org.celeriac.beat.FileScheduleStoreFactory");
        assertThat(List.copyOf((Collection<?>) call(factory, "schemes"))).isEqualTo(List.of("file"));
    }

    /** A class of the SPI bundle's, not this test's copy. */
    private Class<?> spiClass(String name) throws ClassNotFoundException {
        for (Bundle b : context.getBundles()) {
            if ("org.celeriac.spi".equals(b.getSymbolicName())) {
                return b.loadClass(name);
            }
        }
        throw new ClassNotFoundException(name + ": no SPI bundle");
    }

    private void configure(Map<String, String> values) throws Exception {
        Object admin = context.getService(context.getServiceReference("org.osgi.service.cm.ConfigurationAdmin"));
        Object configuration = call(admin, "getConfiguration", "org.celeriac", "?");
        call(configuration, "update", new Hashtable<>(values));
    }

    private Bundle installTaskPackage() throws Exception {
        return installTaskPackage("org.celeriac.itest.tasks", ARITHMETIC);
    }

    private Bundle installTaskPackage(String symbolicName, String tasksHeader) throws Exception {
        Bundle bundle = context.installBundle("itest:" + symbolicName + ":" + System.nanoTime(),
                new ByteArrayInputStream(taskPackageJar(symbolicName, tasksHeader)));
        bundle.start(); // registered by the time start returns: the tracker listens synchronously
        return bundle;
    }

    /** A task package built here: a manifest with the Celeriac-Tasks header and the ArithmeticTasks class file. */
    private static byte[] taskPackageJar(String symbolicName, String tasksHeader) throws IOException {
        String entry = ARITHMETIC.replace('.', '/') + ".class";
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue(Constants.BUNDLE_MANIFESTVERSION, "2");
        main.putValue(Constants.BUNDLE_SYMBOLICNAME, symbolicName);
        main.putValue(Constants.BUNDLE_VERSION, "1.0.0");
        main.putValue(Constants.IMPORT_PACKAGE, "org.celeriac.task;version=\"[1.0,2)\"");
        main.putValue("Celeriac-Tasks", tasksHeader);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, manifest);
                InputStream in = CeleriacRuntimeIT.class.getClassLoader().getResourceAsStream(entry)) {
            assertThat(in).as(entry + " among the test classes").isNotNull();
            jar.putNextEntry(new JarEntry(entry));
            in.transferTo(jar);
            jar.closeEntry();
        }
        return bytes.toByteArray();
    }

    private static long multiply(Object client, long a, long b) throws Exception {
        Object result = call(client, "send", TASK, List.of(a, b), Map.of());
        return ((Number) call(result, "get", WAIT)).longValue();
    }

    @SuppressWarnings("unchecked")
    private Collection<String> taskNames() throws Exception {
        return (Collection<String>) call(awaitService(REGISTRY, ref -> true), "names");
    }

    /** Disables or enables a component of the kernel bundle through SCR, and waits until that is done. */
    private void setComponentEnabled(String component, boolean enabled) throws Exception {
        Bundle kernel = List.of(context.getBundles()).stream()
                .filter(b -> "org.celeriac.kernel".equals(b.getSymbolicName())).findFirst().orElseThrow();
        Object scr = awaitService("org.osgi.service.component.runtime.ServiceComponentRuntime", ref -> true);
        Object description = call(scr, "getComponentDescriptionDTO", kernel, component);
        Object promise = call(scr, enabled ? "enableComponent" : "disableComponent", description);
        call(promise, "getValue");
    }

    private Object awaitService(String type, Predicate<ServiceReference<?>> wanted) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            ServiceReference<?>[] refs = context.getAllServiceReferences(type, null);
            if (refs != null) {
                for (ServiceReference<?> ref : refs) {
                    if (wanted.test(ref)) {
                        return context.getService(ref);
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + type + " service as wanted within " + WAIT);
    }

    /** Calls a public method by name and argument count: the argument types belong to the bundles, not to us. */
    private static Object call(Object target, String name, Object... args) throws Exception {
        for (Method m : target.getClass().getMethods()) {
            if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                m.setAccessible(true); // the implementation class may be private to its bundle
                try {
                    return m.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        }
        throw new NoSuchMethodException(target.getClass().getName() + "." + name + " with " + args.length + " arguments");
    }
}
