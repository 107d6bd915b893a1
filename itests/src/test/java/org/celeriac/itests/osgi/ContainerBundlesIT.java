package org.celeriac.itests.osgi;

import static org.celeriac.itests.osgi.CeleriacRuntimeProbe.WAIT;
import static org.celeriac.itests.osgi.CeleriacRuntimeProbe.embeddedSql;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.inject.Inject;

import org.celeriac.client.AsyncResult;
import org.celeriac.client.CeleriacClient;
import org.celeriac.client.TaskFailedException;
import org.celeriac.registry.TaskRegistry;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerMethod;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.cm.ConfigurationAdmin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The container's bundles (the distribution's bundles directory) in a Felix framework under pax-exam, each test in a
 * fresh one: task packages and a vendor's transport plugin deployed, redeployed and removed while Celeriac runs.
 * The test methods run inside the framework, in pax-exam's probe bundle, which imports Celeriac's API packages
 * from the installed bundles.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerMethod.class)
public class ContainerBundlesIT {
    private static final Logger LOG = LoggerFactory.getLogger(ContainerBundlesIT.class);

    private static final String REDEPLOYED_PACKAGE = "org.celeriac.itests.redeploy";
    private static final String REDEPLOYED_TASK = "redeploy.version";
    private static final int TASKS_PER_VERSION = 150;

    @Inject
    private BundleContext context;

    @Inject
    private ConfigurationAdmin configurations;

    private CeleriacRuntimeProbe runtime;

    @Configuration
    public Option[] containerRuntime() {
        return ContainerRuntimeOptions.containerRuntime();
    }

    @Before
    public void theContainersBundlesAreActiveAndTheProbeUsesTheirClasses() {
        List<String> shipped = ContainerRuntimeOptions.shippedBundles().stream().map(p -> p.toUri().toString()).toList();
        List<String> notActive = Stream.of(context.getBundles())
                .filter(b -> shipped.contains(b.getLocation()) && b.getState() != Bundle.ACTIVE)
                .map(b -> b.getSymbolicName() + " in state " + b.getState()).toList();
        assertEquals("bundles of the container not active", List.of(), notActive);
        assertEquals("every bundle of the container installed", shipped.size(),
                Stream.of(context.getBundles()).filter(b -> shipped.contains(b.getLocation())).count());
        Bundle api = FrameworkUtil.getBundle(CeleriacClient.class);
        assertNotNull("CeleriacClient must come from a bundle, not from the class path", api);
        assertEquals("org.celeriac.kernel", api.getSymbolicName());
        runtime = new CeleriacRuntimeProbe(context, configurations);
    }

    @Test
    public void runsTasksFromDeployedPackageOnEmbeddedDefault() throws Exception {
        runtime.configure(embeddedSql("itest.embedded"));
        installDemoTasks();

        CeleriacClient client = runtime.awaitClient("itest.embedded", "sql");

        assertEquals(5L, ((Number) client.send("demo.add", List.of(2, 3), Map.of()).get(WAIT)).longValue());
        try {
            client.send("demo.fail", List.of("deliberately"), Map.of()).get(WAIT);
            fail("demo.fail succeeded");
        } catch (TaskFailedException e) {
            assertEquals("FAILURE", e.state().name());
            assertEquals("IllegalStateException", e.exception().type());
            assertEquals("deliberately", e.exception().message());
        }
    }

    @Test
    public void runsTasksOnRedisWhenConfiguredForIt() throws Exception {
        String redis = System.getenv("CELERIAC_TEST_REDIS_URL");
        Assume.assumeTrue("CELERIAC_TEST_REDIS_URL is not set (run-tests sets it)",
                redis != null && !redis.isBlank() || "true".equals(System.getenv("CI")));
        assertNotNull("CELERIAC_TEST_REDIS_URL must be set under CI", redis);
        // databases of their own, so that other suites on this Redis neither see nor flush these keys
        String base = redis.replaceFirst("/\\d*$", "");
        Map<String, String> settings = new HashMap<>(embeddedSql("itest.redis"));
        settings.put("broker_url", base + "/5");
        settings.put("result_backend", base + "/6");
        runtime.configure(settings);
        installDemoTasks();

        CeleriacClient client = runtime.awaitClient("itest.redis", "redis");

        assertEquals(5L, ((Number) client.send("demo.add", List.of(2, 3), Map.of()).get(WAIT)).longValue());
        assertEquals("org.celeriac.transport.redis", bundleOf("org.celeriac.transport.redis").getSymbolicName());
        assertEquals(Bundle.ACTIVE, bundleOf("org.celeriac.backend.redis").getState());
    }

    @Test
    public void storesResultsOnMemcachedWhenConfiguredForIt() throws Exception {
        Assume.assumeTrue("no /usr/bin/memcached (run-tests installs it)",
                Files.isExecutable(Path.of("/usr/bin/memcached")) || "true".equals(System.getenv("CI")));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process memcached = new ProcessBuilder("/usr/bin/memcached", "-l", "127.0.0.1", "-p", Integer.toString(port),
                "-U", "0", "-u", "root").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            Map<String, String> settings = new HashMap<>(embeddedSql("itest.memcached"));
            settings.put("result_backend", "cache+memcached://127.0.0.1:" + port + "/");
            runtime.configure(settings);
            installDemoTasks();

            CeleriacClient client = runtime.awaitClient("itest.memcached", "sql");

            assertEquals(5L, ((Number) client.send("demo.add", List.of(2, 3), Map.of()).get(WAIT)).longValue());
            assertEquals(Bundle.ACTIVE, bundleOf("org.celeriac.backend.memcached").getState());
        } finally {
            memcached.destroy();
            memcached.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    public void runsTasksOnRabbitMqWhenConfiguredForIt() throws Exception {
        String amqp = System.getenv("CELERIAC_TEST_AMQP_URL");
        Assume.assumeTrue("CELERIAC_TEST_AMQP_URL is not set (run-tests sets it)",
                amqp != null && !amqp.isBlank() || "true".equals(System.getenv("CI")));
        assertNotNull("CELERIAC_TEST_AMQP_URL must be set under CI", amqp);
        // a queue of its own on the broker; results in the embedded database (RabbitMQ keeps none)
        Map<String, String> settings = new HashMap<>(embeddedSql("itest.amqp"));
        settings.put("broker_url", amqp.strip());
        runtime.configure(settings);
        installDemoTasks();

        CeleriacClient client = runtime.awaitClient("itest.amqp", "amqp");

        assertEquals(5L, ((Number) client.send("demo.add", List.of(2, 3), Map.of()).get(WAIT)).longValue());
        Bundle transport = bundleOf("org.celeriac.transport.amqp");
        assertEquals(Bundle.ACTIVE, transport.getState());
        // amqp-client is inside the transport's bundle, private to it: no bundle of the container exports it
        assertEquals(transport, FrameworkUtil.getBundle(transport.loadClass("com.rabbitmq.client.ConnectionFactory")));
    }

    private Bundle bundleOf(String symbolicName) {
        for (Bundle b : context.getBundles()) {
            if (symbolicName.equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    @Test
    public void redeployedTaskPackageAnswersWithNewCodeAndLosesNoTask() throws Exception {
        Map<String, String> settings = new HashMap<>(embeddedSql("itest.redeploy"));
        settings.put("worker_concurrency", "8"); // the tasks sleep: more of them run at once, even on two cores
        runtime.configure(settings);
        Bundle tasks = context.installBundle("itest:" + REDEPLOYED_PACKAGE,
                TaskPackageJars.taskPackage(REDEPLOYED_PACKAGE, "1.0.0", VersionOneTasks.class));
        tasks.start();
        CeleriacClient client = runtime.awaitClient("itest.redeploy", "sql");

        List<AsyncResult> beforeUpdate = send(client, TASKS_PER_VERSION);
        // Version 1 has answered; of the others some are running on it, the rest wait in the worker or the queue.
        assertEquals(1, ((Number) beforeUpdate.get(0).get(WAIT)).intValue());
        Instant updating = Instant.now();
        tasks.update(TaskPackageJars.taskPackage(REDEPLOYED_PACKAGE, "2.0.0", VersionTwoTasks.class));
        List<AsyncResult> afterUpdate = send(client, TASKS_PER_VERSION);

        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        List<Outcome> before = outcomes(beforeUpdate, deadline);
        List<Outcome> after = outcomes(afterUpdate, deadline);
        List<Outcome> failed = new ArrayList<>(before);
        failed.addAll(after);
        failed.removeIf(o -> o.failure() == null);
        assertTrue(failed.size() + " of " + 2 * TASKS_PER_VERSION + " tasks did not succeed: " + failed, failed.isEmpty());
        Map<Object, Long> beforeByValue = countByValue(before);
        long oldCodeRunningAcrossUpdate = before.stream()
                .filter(o -> ((Number) o.value()).longValue() == 1 && o.done().isAfter(updating)).count();
        LOG.info("Tasks sent before the update answered {} (value: count), {} of them finishing on version 1 after the"
                + " update began; those sent after, {}", beforeByValue, oldCodeRunningAcrossUpdate, countByValue(after));
        assertTrue("version 1 answered some tasks: " + beforeByValue, beforeByValue.getOrDefault(1L, 0L) > 0);
        assertTrue("no task was running on version 1 while it was replaced: the test did not exercise that",
                oldCodeRunningAcrossUpdate > 0);
        assertEquals("every task sent after the update ran version 2", Map.of(2L, (long) TASKS_PER_VERSION), countByValue(after));
        assertEquals("the same bundle, updated in place", "2.0.0", tasks.getVersion().toString());
    }

    @Test
    public void vendorTransportBundleServesAQueue() throws Exception {
        Map<String, String> sql = embeddedSql("itest.sql");
        runtime.configure(sql);
        installDemoTasks();
        runtime.awaitClient("itest.sql", "sql");

        Bundle vendor = installVendorTransport();
        Map<String, String> onVendor = new HashMap<>(sql);
        onVendor.put("broker_url", "vendor://test");
        onVendor.put("task_default_queue", "itest.vendor");
        onVendor.put("worker_queues", "itest.vendor");
        runtime.configure(onVendor);
        CeleriacClient client = runtime.awaitClient("itest.vendor", "vendor");
        assertEquals(42L, ((Number) client.send("demo.add", List.of(20, 22), Map.of()).get(WAIT)).longValue());

        vendor.uninstall();

        // Paused before uninstall returned: the runtime lets go of a plugin before its provider is deactivated.
        assertFalse("a CeleriacClient service while the broker's transport is gone", runtime.offersClient());
        assertEquals(Bundle.ACTIVE, context.getBundle(0).getState());
        assertEquals(Bundle.ACTIVE, kernelBundle().getState());
        assertNotNull("the runtime component is still active", context.getServiceReference(TaskRegistry.class));
        // ...and it resumes on the configuration it was given once a vendor:// transport is back.
        installVendorTransport();
        CeleriacClient resumed = runtime.awaitClient("itest.vendor", "vendor");
        assertEquals(7L, ((Number) resumed.send("demo.add", List.of(3, 4), Map.of()).get(WAIT)).longValue());
    }

    private void installDemoTasks() throws Exception {
        context.installBundle(IntegrationTestPaths.demoTasks().toUri().toString()).start();
    }

    private Bundle installVendorTransport() throws Exception {
        Bundle vendor = context.installBundle(IntegrationTestPaths.vendorTransport().toUri().toString());
        vendor.start();
        return vendor;
    }

    private Bundle kernelBundle() {
        for (Bundle b : context.getBundles()) {
            if ("org.celeriac.kernel".equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no kernel bundle");
    }

    private static List<AsyncResult> send(CeleriacClient client, int count) {
        List<AsyncResult> sent = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            sent.add(client.send(REDEPLOYED_TASK, List.of(), Map.of()));
        }
        return sent;
    }

    /** What became of a sent task: its value and when it was stored, or why there is none. */
    private record Outcome(String taskId, Object value, Instant done, String failure) {
    }

    private static List<Outcome> outcomes(List<AsyncResult> results, long deadlineNanos) throws InterruptedException {
        List<Outcome> outcomes = new ArrayList<>();
        for (AsyncResult result : results) {
            try {
                Duration left = Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
                Object value = result.get(left);
                outcomes.add(new Outcome(result.id(), value, result.result().dateDone(), null));
            } catch (TaskFailedException e) {
                outcomes.add(new Outcome(result.id(), null, null, e.state() + " " + e.exception()));
            } catch (TimeoutException e) {
                outcomes.add(new Outcome(result.id(), null, null, "no result: " + e.getMessage()));
            }
        }
        return outcomes;
    }

    private static Map<Object, Long> countByValue(List<Outcome> outcomes) {
        return outcomes.stream().collect(Collectors.groupingBy(o -> ((Number) o.value()).longValue(), Collectors.counting()));
    }
}
