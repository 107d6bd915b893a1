package org.celeriac.container;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The bundles the container ships (its bundles directory), installed into a framework that is not started yet. */
final class RuntimeBundles {
    private static final Logger LOG = LoggerFactory.getLogger(RuntimeBundles.class);

    private final List<Path> jars;

    private RuntimeBundles(List<Path> jars) {
        this.jars = jars;
    }

    /** @throws IllegalArgumentException when the directory does not exist or holds no jar */
    static RuntimeBundles in(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("no bundles directory at " + dir
                    + " (in a source checkout, build it with: mvn install -DskipTests)");
        }
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> jars = files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted().toList();
            if (jars.isEmpty()) {
                throw new IllegalArgumentException("no bundles in " + dir);
            }
            return new RuntimeBundles(jars);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    /**
     * Installs every bundle jar of the directory at its start level and marks it to be started when the
     * framework reaches that level. A jar that cannot be installed is skipped, the container runs with the
     * rest; the caller reports it.
     *
     * @return the jars that could not be installed
     */
    List<BundleProblem> installInto(BundleContext context) {
        List<BundleProblem> problems = new ArrayList<>();
        for (Path jar : jars) {
            try {
                install(context, jar);
            } catch (BundleException | IOException | RuntimeException e) {
                LOG.debug("Cannot install {}", jar, e);
                problems.add(new BundleProblem(jar.getFileName().toString(), "NOT INSTALLED", e.getMessage()));
            }
        }
        return problems;
    }

    private static void install(BundleContext context, Path jar) throws BundleException, IOException {
        Attributes headers;
        try (JarFile file = new JarFile(jar.toFile())) {
            headers = file.getManifest() == null ? new Attributes() : file.getManifest().getMainAttributes();
        }
        String symbolicName = headers.getValue(Constants.BUNDLE_SYMBOLICNAME);
        if (symbolicName == null) {
            // Felix would take it as an OSGi R3 bundle exporting nothing: of no use to anyone.
            throw new BundleException("not an OSGi bundle (no " + Constants.BUNDLE_SYMBOLICNAME + " header)");
        }
        Bundle bundle = context.installBundle(jar.toUri().toString());
        bundle.adapt(BundleStartLevel.class).setStartLevel(StartLevels.of(bundle.getSymbolicName()));
        if (headers.getValue(Constants.FRAGMENT_HOST) == null) {
            bundle.start(); // at its start level, once the framework reaches it
        }
    }
}
