package org.celeriac.itests.osgi;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.systemPackage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.ops4j.pax.exam.Option;
import org.slf4j.LoggerFactory;

/**
 * The pax-exam options that boot what the container boots: every bundle of the distribution's bundles directory
 * (Config Admin, Declarative Services, FileInstall, Jackson, H2, HikariCP, PostgreSQL, Celeriac's SPI, kernel and
 * SQL, Redis and AMQP plugins, the monitor), with SLF4J and the JDK's HTTP server exported by the system bundle as
 * the container does. Used outside the framework, by
 * the test classes' {@code @Configuration} methods.
 */
final class ContainerRuntimeOptions {

    private ContainerRuntimeOptions() {
    }

    static Option[] containerRuntime() {
        Path deploy = IntegrationTestPaths.work().resolve("deploy");
        try {
            Files.createDirectories(deploy);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + deploy, e);
        }
        List<Option> options = new ArrayList<>();
        // HikariCP imports org.slf4j [1.6,2) and Celeriac [2.0,3): slf4j-api 2 exports its package at both versions.
        options.add(systemPackage(slf4jExports()));
        // The JDK's HTTP server, which the monitor bundle serves on: the container exports it too.
        options.add(systemPackage("com.sun.net.httpserver"));
        // FileInstall is part of the container; here it watches an empty directory of our own, not ./load.
        options.add(frameworkProperty("felix.fileinstall.dir").value(deploy.toString()));
        options.add(frameworkProperty("felix.fileinstall.log.level").value("1"));
        options.add(frameworkProperty("ds.loglevel").value("warn"));
        for (Path jar : shippedBundles()) {
            options.add(bundle(jar.toUri().toString()));
        }
        options.add(junitBundles());
        return options.toArray(Option[]::new);
    }

    static List<Path> shippedBundles() {
        Path dir = IntegrationTestPaths.containerBundles();
        try (Stream<Path> files = Files.list(dir)) {
            // Started in this order, at one start level: the kernel last, as the container's start levels have it,
            // so that its runtime finds the SQL plugins at once rather than waiting for them.
            List<Path> jars = files.filter(f -> f.getFileName().toString().endsWith(".jar"))
                    .sorted(Comparator.comparing((Path f) -> f.getFileName().toString().startsWith("celeriac-kernel-"))
                            .thenComparing(Comparator.naturalOrder()))
                    .toList();
            if (jars.isEmpty()) {
                throw new IllegalStateException("no bundles in " + dir + " (build the distribution first: mvn install -DskipTests)");
            }
            return jars;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + " (build the distribution first: mvn install -DskipTests)", e);
        }
    }

    /** The Export-Package header of the slf4j-api jar on this class path, the one the bundles will log through. */
    private static String slf4jExports() {
        try (JarFile jar = new JarFile(Path.of(LoggerFactory.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toFile())) {
            String exports = jar.getManifest().getMainAttributes().getValue("Export-Package");
            if (exports == null) {
                throw new IllegalStateException("slf4j-api at " + jar.getName() + " exports nothing");
            }
            return exports;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read slf4j-api's manifest", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot tell where slf4j-api is", e);
        }
    }
}
