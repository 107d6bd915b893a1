package org.celeriac.container;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.jar.Manifest;

import org.celeriac.task.Task;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a home ready to run in. A new home (one without {@code etc/} or {@code deploy/}) gets the defaults, so
 * that a first container runs the demo tasks on the embedded database: the configuration it is given (the
 * shipped one for {@code celeriac container}; {@code celeriac start} names the database of its own settings)
 * and the task packages of the class path. An existing one is left as its operator made it: a deleted or
 * changed {@code org.celeriac.cfg} or demo jar does not come back.
 */
final class HomeDirectories {
    private static final Logger LOG = LoggerFactory.getLogger(HomeDirectories.class);

    private HomeDirectories() {
    }

    /**
     * @param newConfig the {@code etc/org.celeriac.cfg} a new home gets
     * @throws UncheckedIOException when a directory cannot be created or a default written
     */
    static void prepare(ContainerHome home, String newConfig) {
        try {
            Files.createDirectories(home.dir());
            if (!Files.isDirectory(home.etc())) {
                Files.createDirectories(home.etc());
                Files.writeString(home.celeriacConfig(), newConfig, StandardCharsets.UTF_8);
                LOG.info("New home: wrote the configuration {}", home.celeriacConfig());
                // The monitor's, as shipped (off): there for an operator to turn on.
                Files.writeString(home.etc().resolve(CeleriacConfig.MONITOR_TEMPLATE),
                        CeleriacConfig.shipped(CeleriacConfig.MONITOR_TEMPLATE), StandardCharsets.UTF_8);
            }
            if (!Files.isDirectory(home.deploy())) {
                Files.createDirectories(home.deploy());
                copyTaskPackagesOfClassPath(home.deploy());
            }
            Files.createDirectories(home.log());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the container home " + home.dir() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The task packages the command line runs by default (the demo tasks) are the container's defaults too:
     * the jars on the class path whose manifest has a {@code Celeriac-Tasks} header.
     */
    private static void copyTaskPackagesOfClassPath(Path deploy) throws IOException {
        for (Path jar : taskPackagesOnClassPath()) {
            Path target = deploy.resolve(jar.getFileName());
            // The same jar can be on the class path twice: named directly and by celeriac.jar's Class-Path.
            if (!Files.exists(target)) {
                Files.copy(jar, target);
                LOG.info("New home: deployed the task package {}", jar.getFileName());
            }
        }
    }

    private static List<Path> taskPackagesOnClassPath() throws IOException {
        List<Path> jars = new ArrayList<>();
        ClassLoader loader = HomeDirectories.class.getClassLoader();
        for (URL url : Collections.list(loader.getResources("META-INF/MANIFEST.MF"))) {
            if (!"jar".equals(url.getProtocol())) {
                continue; // a classes directory, not something to deploy
            }
            JarURLConnection connection = (JarURLConnection) url.openConnection();
            connection.setUseCaches(false);
            Manifest manifest;
            try (InputStream in = connection.getInputStream()) {
                manifest = new Manifest(in);
            }
            if (manifest.getMainAttributes().getValue(Task.MANIFEST_HEADER) != null) {
                try {
                    jars.add(Path.of(connection.getJarFileURL().toURI()));
                } catch (URISyntaxException | IllegalArgumentException e) {
                    LOG.warn("Not deploying the task package at {}: {}", url, e.getMessage());
                }
            }
        }
        return jars;
    }
}
