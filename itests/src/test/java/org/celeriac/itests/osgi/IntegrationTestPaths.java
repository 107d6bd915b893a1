package org.celeriac.itests.osgi;

import java.nio.file.Path;

/**
 * Files the build hands to the *IT tests as system properties (see the failsafe configuration in the pom). Read
 * inside and outside the framework alike: the native container runs it in this JVM.
 */
final class IntegrationTestPaths {

    private IntegrationTestPaths() {
    }

    /** The distribution's bundles directory: what the container installs at start. */
    static Path containerBundles() {
        return path("celeriac.it.container.bundles");
    }

    /** The demo task package (examples/demo-tasks). */
    static Path demoTasks() {
        return path("celeriac.it.demo.tasks");
    }

    /** The vendor's transport bundle (itests/vendor-transport). */
    static Path vendorTransport() {
        return path("celeriac.it.vendor.transport");
    }

    /** A directory under target/ for the tests' databases and FileInstall's directory. */
    static Path work() {
        return path("celeriac.it.work");
    }

    private static Path path(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set: run the *IT tests through Maven (mvn verify)");
        }
        return Path.of(value).toAbsolutePath().normalize();
    }
}
