package org.celeriac.itests.osgi;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;

import org.celeriac.client.CeleriacClient;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * Celeriac's runtime as another bundle sees it (here, the test probe inside the framework): configuration
 * {@code org.celeriac} through Config Admin, and the client of the open app as a service.
 */
final class CeleriacRuntimeProbe {
    static final String PID = "org.celeriac";
    static final Duration WAIT = Duration.ofSeconds(30);

    private final BundleContext context;
    private final ConfigurationAdmin configurations;

    CeleriacRuntimeProbe(BundleContext context, ConfigurationAdmin configurations) {
        this.context = context;
        this.configurations = configurations;
    }

    /**
     * Settings for the embedded H2 broker and backend in a new directory under target/, with a worker on its own
     * queue (so that the client of this configuration is told from that of the defaults the runtime started on).
     */
    static Map<String, String> embeddedSql(String queue) throws IOException {
        Path dir = Files.createDirectories(IntegrationTestPaths.work()).resolve(queue + "-" + System.nanoTime());
        String database = "sql:file:" + dir.resolve("celeriac");
        Map<String, String> settings = new HashMap<>();
        settings.put("broker_url", database);
        settings.put("result_backend", database);
        settings.put("task_default_queue", queue);
        settings.put("worker_queues", queue);
        // A message a stuck worker holds comes back within seconds rather than the default half hour.
        settings.put("broker_transport_options.visibility_timeout", "5");
        return settings;
    }

    /** Creates or replaces configuration org.celeriac, as FileInstall does for etc/org.celeriac.cfg. */
    void configure(Map<String, String> settings) throws IOException {
        configurations.getConfiguration(PID, "?").update(new Hashtable<>(settings));
    }

    /** The client of the app opened on this default queue and broker scheme, once the runtime registers it. */
    CeleriacClient awaitClient(String defaultQueue, String brokerScheme) throws InterruptedException {
        String filter = "(&(celeriac.default_queue=" + defaultQueue + ")(celeriac.broker.scheme=" + brokerScheme + "))";
        long deadline = System.nanoTime() + WAIT.toNanos();
        do {
            for (ServiceReference<CeleriacClient> ref : clientReferences(filter)) {
                CeleriacClient client = context.getService(ref);
                if (client != null) {
                    return client;
                }
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no CeleriacClient service " + filter + " within " + WAIT);
    }

    /** Whether the runtime offers a client right now (it withdraws it while paused). */
    boolean offersClient() {
        return !clientReferences(null).isEmpty();
    }

    private Collection<ServiceReference<CeleriacClient>> clientReferences(String filter) {
        try {
            return context.getServiceReferences(CeleriacClient.class, filter);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(filter, e);
        }
    }
}
