package org.celeriac.container;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.celeriac.container.Eventually.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Version;

/** The container on a home of its own, with the bundles the build ships (target/bundles). */
class ContainerIT {
    static final Path SHIPPED_BUNDLES = Path.of(System.getProperty("celeriac.bundles", "target/bundles"));
    /** FileInstall polls every second in production; a tenth of that keeps the tests short. */
    static final Map<String, String> FAST_POLLING = Map.of("felix.fileinstall.poll", "100");

    @TempDir
    Path dir;

    private Container container;

    @AfterEach
    void stopContainer() {
        if (container != null) {
            container.close();
        }
    }

    private Container start(ContainerHome home) throws Exception {
        container = Container.start(home, FAST_POLLING);
        return container;
    }

    private ContainerHome newHome() {
        return new ContainerHome(dir.resolve("home"), SHIPPED_BUNDLES);
    }

    @Test
    void aNewHomeGetsTheDemoTasksAndEveryShippedBundleIsActive() throws Exception {
        ContainerHome home = newHome();

        start(home);

        assertThat(container.problems()).isEmpty();
        assertThat(jarNames(home.deploy())).singleElement().asString().startsWith("celeriac-demo-tasks-");
        List<String> shipped = symbolicNamesOf(SHIPPED_BUNDLES);
        assertThat(shipped).hasSizeGreaterThanOrEqualTo(17);
        for (String name : shipped) {
            assertThat(bundle(name)).as(name).hasValueSatisfying(b -> assertThat(b.getState()).isEqualTo(Bundle.ACTIVE));
        }
        assertThat(bundle("org.celeriac.examples.demo")).hasValueSatisfying(b ->
                assertThat(b.getState()).isEqualTo(Bundle.ACTIVE));
        assertThat(container.activeBundles()).isEqualTo(shipped.size() + 1);
    }

    @Test
    void aNewHomeIsConfiguredForTheEmbeddedDatabaseUnderItsDataDirectory() throws Exception {
        ContainerHome home = newHome();

        start(home);

        assertThat(home.celeriacConfig()).isRegularFile();
        Map<String, Object> celeriac = await("org.celeriac in Config Admin",
                () -> new ConfigAdminView(container.context()).properties("org.celeriac"), Optional::isPresent).get();
        String embedded = "sql:file:" + home.data().resolve("celeriac-data/celeriac");
        assertThat(celeriac).containsEntry("broker_url", embedded).containsEntry("result_backend", embedded);
    }

    @Test
    void anExistingHomeKeepsWhatItsOperatorLeftIn() throws Exception {
        ContainerHome home = newHome();
        Files.createDirectories(home.deploy());
        Files.createDirectories(home.etc());

        start(home);

        assertThat(jarNames(home.deploy())).isEmpty();
        assertThat(home.celeriacConfig()).doesNotExist();
        assertThat(home.log()).isDirectory();
    }

    @Test
    void aJarDroppedIntoDeployIsInstalledAndStartedThenUpdatedWhenReplacedAndUninstalledWhenDeleted() throws Exception {
        ContainerHome home = emptyHome();
        start(home);
        Path jar = home.deploy().resolve("probe.jar");

        BundleJars.write(jar, "org.example.probe", "1.0.0", Map.of());
        Bundle installed = await("probe installed and active", () -> bundle("org.example.probe"),
                b -> b.isPresent() && b.get().getState() == Bundle.ACTIVE).get();
        assertThat(installed.getVersion()).isEqualTo(Version.parseVersion("1.0.0"));

        BundleJars.write(jar, "org.example.probe", "1.0.1", Map.of());
        Bundle updated = await("probe updated to 1.0.1", () -> bundle("org.example.probe"),
                b -> b.isPresent() && b.get().getVersion().equals(Version.parseVersion("1.0.1"))).get();
        assertThat(updated.getBundleId()).as("the same bundle, updated in place").isEqualTo(installed.getBundleId());
        await("probe active after the update", updated::getState, state -> state == Bundle.ACTIVE);

        Files.delete(jar);
        await("probe uninstalled", () -> bundle("org.example.probe"), Optional::isEmpty);
        assertThat(updated.getState()).isEqualTo(Bundle.UNINSTALLED);
    }

    @Test
    void aConfigurationFileInEtcBecomesAConfigurationThatFollowsTheFile() throws Exception {
        ContainerHome home = emptyHome();
        start(home);
        ConfigAdminView configurations = new ConfigAdminView(container.context());
        Path file = home.etc().resolve("org.example.probe.cfg");

        Files.writeString(file, "greeting = hello\nwhere = ${celeriac.home}/data\n");
        Map<String, Object> created = await("org.example.probe created", () -> configurations.properties("org.example.probe"),
                Optional::isPresent).get();
        assertThat(created).containsEntry("greeting", "hello").containsEntry("where", home.data().toString());

        Files.writeString(file, "greeting = bonjour\nwhere = ${celeriac.home}/data\n");
        await("org.example.probe changed", () -> configurations.properties("org.example.probe"),
                p -> p.isPresent() && "bonjour".equals(p.get().get("greeting")));
        assertThat(Files.readString(file)).as("the file is the operator's: not written back")
                .isEqualTo("greeting = bonjour\nwhere = ${celeriac.home}/data\n");

        Files.delete(file);
        await("org.example.probe deleted", () -> configurations.properties("org.example.probe"), Optional::isEmpty);
    }

    @Test
    void aBundleThatCannotResolveIsReportedWithTheMissingPackageAndTheOthersRun() throws Exception {
        Path bundles = Files.createDirectories(dir.resolve("bundles"));
        try (Stream<Path> shipped = Files.list(SHIPPED_BUNDLES)) {
            for (Path jar : shipped.toList()) {
                Files.copy(jar, bundles.resolve(jar.getFileName()));
            }
        }
        BundleJars.write(bundles.resolve("broken.jar"), "org.example.broken", "1.0.0",
                Map.of("Import-Package", "org.example.missing;version=\"[1,2)\""));
        Files.writeString(bundles.resolve("not-a-bundle.jar"), "not even a zip");

        start(new ContainerHome(dir.resolve("home"), bundles));

        assertThat(container.problems()).hasSize(2);
        assertThat(container.problems()).anySatisfy(p -> {
            assertThat(p.bundle()).isEqualTo("org.example.broken 1.0.0");
            assertThat(p.state()).isEqualTo("INSTALLED");
            assertThat(p.reason()).contains("org.example.missing");
        });
        assertThat(container.problems()).anySatisfy(p -> {
            assertThat(p.bundle()).isEqualTo("not-a-bundle.jar");
            assertThat(p.state()).isEqualTo("NOT INSTALLED");
        });
        for (String name : symbolicNamesOf(SHIPPED_BUNDLES)) {
            assertThat(bundle(name)).as(name).hasValueSatisfying(b -> assertThat(b.getState()).isEqualTo(Bundle.ACTIVE));
        }
    }

    @Test
    void aSecondContainerOnTheSameHomeIsRefused() throws Exception {
        ContainerHome home = emptyHome();
        start(home);

        assertThatThrownBy(() -> Container.start(home, FAST_POLLING)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("another container runs on " + home.dir())
                .hasMessageContaining("process " + ProcessHandle.current().pid());
        assertThat(bundle("org.apache.felix.fileinstall")).as("the first one still runs")
                .hasValueSatisfying(b -> assertThat(b.getState()).isEqualTo(Bundle.ACTIVE));
    }

    @Test
    void closingStopsEveryBundleAndFreesTheHome() throws Exception {
        ContainerHome home = emptyHome();
        Container first = start(home);
        Bundle systemBundle = first.context().getBundle(0);

        first.close();
        container = null;

        assertThat(systemBundle.getState()).isEqualTo(Bundle.RESOLVED);
        start(home);
        assertThat(container.problems()).isEmpty();
    }

    /**
     * A home whose deploy/ and etc/ exist and are empty, so nothing is deployed by default; Celeriac's
     * configuration is an in-memory broker, so that a kernel runtime, when there is one, opens no database.
     */
    private ContainerHome emptyHome() throws IOException {
        ContainerHome home = newHome();
        Files.createDirectories(home.deploy());
        Files.createDirectories(home.etc());
        Files.writeString(home.celeriacConfig(), "broker_url = memory://container-it\nresult_backend = memory://container-it\n");
        return home;
    }

    private Optional<Bundle> bundle(String symbolicName) {
        return Arrays.stream(container.context().getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName()))
                .findFirst();
    }

    private static List<String> jarNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".jar")).toList();
        }
    }

    private static List<String> symbolicNamesOf(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".jar")).sorted().map(ContainerIT::symbolicName).toList();
        }
    }

    private static String symbolicName(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            String header = file.getManifest().getMainAttributes().getValue("Bundle-SymbolicName");
            return header.split(";")[0].trim();
        } catch (IOException e) {
            throw new AssertionError("cannot read " + jar, e);
        }
    }
}
