package org.celeriac.container;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.slf4j.LoggerFactory;

/**
 * SLF4J's packages as the framework exports them from the class path. One SLF4J for the whole process: the
 * bundles log through the launcher's slf4j-simple, set up once (standard error, or the log file of a
 * service). A slf4j-api bundle inside the framework would instead look for its provider with a ServiceLoader
 * mediator the container does not have. Taken from slf4j-api's own Export-Package header, so the versions
 * match the jar, and libraries importing the 1.7 API (HikariCP) resolve too: slf4j-api 2 exports its
 * {@code org.slf4j} package at both 2.x and 1.7.36.
 */
final class Slf4jPackages {

    private Slf4jPackages() {
    }

    /** @throws IllegalStateException when slf4j-api on the class path is not a jar with an Export-Package header */
    static String exportedByClassPath() {
        CodeSource source = LoggerFactory.class.getProtectionDomain().getCodeSource();
        if (source == null) {
            throw new IllegalStateException("cannot tell where slf4j-api was loaded from");
        }
        try (JarFile jar = new JarFile(Path.of(source.getLocation().toURI()).toFile())) {
            Manifest manifest = jar.getManifest();
            String exports = manifest == null ? null : manifest.getMainAttributes().getValue("Export-Package");
            if (exports == null) {
                throw new IllegalStateException("slf4j-api at " + source.getLocation() + " has no Export-Package header");
            }
            return exports;
        } catch (IOException | URISyntaxException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot read slf4j-api's manifest at " + source.getLocation() + ": " + e, e);
        }
    }
}
