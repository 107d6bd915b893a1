package org.celeriac.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.celeriac.container.Eventually.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.celeriac.app.Celeriac;
import org.celeriac.client.AsyncResult;
import org.celeriac.client.SendOptions;
import org.celeriac.config.Settings;
import org.celeriac.discovery.ServiceLoaderCatalog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole chain: etc/org.celeriac.cfg through FileInstall and Config Admin to the kernel's runtime, the
 * demo tasks hot-deployed from deploy/, and a task sent from outside the container, by the plain client on
 * the same database, run inside it. Skipped while the kernel bundle has no runtime component.
 */
class ContainerEndToEndIT {
    static final Duration RESULT_WAIT = Duration.ofSeconds(30);
    static final Path DEMO_TASKS = Path.of(System.getProperty("celeriac.demo.jar",
            "target/lib/celeriac-demo-tasks-0.1.0-SNAPSHOT.jar"));

    @TempDir
    Path dir;

    private String database;
    private ContainerHome home;
    private Container container;

    @BeforeEach
    void homeWithTheDemoTasksOnATemporaryDatabase() throws IOException {
        assumeThat(kernelHasItsRuntime()).as("the kernel bundle declares the CeleriacRuntime component").isTrue();
        database = "sql:file:" + dir.resolve("database/celeriac");
        home = new ContainerHome(dir.resolve("home"), ContainerIT.SHIPPED_BUNDLES);
        Files.createDirectories(home.deploy());
        Files.createDirectories(home.etc());
        Files.copy(DEMO_TASKS, home.deploy().resolve(DEMO_TASKS.getFileName()));
    }

    @AfterEach
    void stopContainer() {
        if (container != null) {
            container.close();
        }
    }

    @Test
    void aTaskSentByThePlainClientRunsInTheContainer() throws Exception {
        writeConfig("");
        startContainer();

        try (Celeriac client = plainClient()) {
            AsyncResult result = client.client().send("demo.add", List.of(2, 3), Map.of());

            assertThat(result.get(RESULT_WAIT)).isEqualTo(5);
        }
    }

    @Test
    void aChangedConfigurationTakesEffectWithoutARestart() throws Exception {
        writeConfig("worker_queues = first\n");
        startContainer();

        try (Celeriac client = plainClient()) {
            AsyncResult result = client.client().send("demo.add", List.of(2, 3), Map.of(),
                    SendOptions.defaults().queue("second"));
            writeConfig("worker_queues = second\n");

            assertThat(result.get(RESULT_WAIT)).isEqualTo(5);
        }
    }

    /**
     * Starts the container and waits until its runtime published the client: the embedded database is open
     * then, and a second process (here, the test's client) joins it at once. Opened at the same moment, H2
     * makes the second one wait seconds for the first one's server.
     */
    private void startContainer() throws Exception {
        container = Container.start(home, ContainerIT.FAST_POLLING);
        // All references: this class path's CeleriacClient is another class than the kernel bundle's.
        await("the CeleriacClient service", () -> container.context()
                .getAllServiceReferences("org.celeriac.client.CeleriacClient", null), Objects::nonNull);
    }

    private void writeConfig(String more) throws IOException {
        Path staged = dir.resolve("org.celeriac.cfg.tmp");
        Files.writeString(staged, "broker_url = " + database + "\nresult_backend = " + database + "\n" + more);
        Files.move(staged, home.celeriacConfig(), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private Celeriac plainClient() {
        return Celeriac.open(Settings.of(Map.of(Settings.BROKER_URL, database, Settings.RESULT_BACKEND, database)),
                new ServiceLoaderCatalog());
    }

    private static boolean kernelHasItsRuntime() throws IOException {
        try (Stream<Path> jars = Files.list(ContainerIT.SHIPPED_BUNDLES)) {
            for (Path jar : jars.filter(j -> j.getFileName().toString().startsWith("celeriac-kernel-")).toList()) {
                try (JarFile file = new JarFile(jar.toFile())) {
                    return file.getEntry("OSGI-INF/org.celeriac.osgi.CeleriacRuntime.xml") != null;
                }
            }
        }
        return false;
    }
}
