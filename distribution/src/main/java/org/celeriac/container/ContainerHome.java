package org.celeriac.container;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * Where a container's files are. The home holds what an operator changes: {@code deploy/} (task packages and
 * extra plugins, watched), {@code etc/} (configuration files, watched) and {@code data/} (the framework
 * cache, the embedded database, logs). The bundles directory belongs to the installation instead: the runtime
 * every container of that installation starts with, changed only by upgrading Celeriac.
 *
 * @param dir     the home directory
 * @param bundles the directory of the bundles installed at every start
 */
public record ContainerHome(Path dir, Path bundles) {

    public ContainerHome {
        dir = dir.toAbsolutePath().normalize();
        bundles = bundles.toAbsolutePath().normalize();
    }

    /** Task packages and extra plugins: a jar dropped here is installed and started, replaced updated, deleted uninstalled. */
    public Path deploy() {
        return dir.resolve("deploy");
    }

    /** Configuration: {@code PID.cfg} files, read into Config Admin ({@code org.celeriac.cfg} configures Celeriac). */
    public Path etc() {
        return dir.resolve("etc");
    }

    /** What the container writes: the framework cache, the embedded database, beat's default store, logs. */
    public Path data() {
        return dir.resolve("data");
    }

    /** Celeriac's own configuration file. */
    public Path celeriacConfig() {
        return etc().resolve("org.celeriac.cfg");
    }

    /** Log files: celeriac.log, and console.log for what a service printed. */
    public Path log() {
        return data().resolve("log");
    }

    /** The OSGi framework's bundle cache: emptied at every start, rebuilt from bundles/ and deploy/. */
    Path cache() {
        return data().resolve("cache");
    }

    /**
     * {@code bundles/} next to the jar holding this class: {@code distribution/target/bundles} in a build
     * ({@code target/celeriac.jar}, or {@code target/classes} when run from the build's classes), and
     * {@code lib/bundles} in an installation ({@code lib/celeriac.jar}).
     */
    public static Path defaultBundles() {
        CodeSource source = ContainerHome.class.getProtectionDomain().getCodeSource();
        if (source == null) {
            return Path.of("bundles").toAbsolutePath();
        }
        try {
            return Path.of(source.getLocation().toURI()).getParent().resolve("bundles");
        } catch (URISyntaxException | IllegalArgumentException e) {
            return Path.of("bundles").toAbsolutePath();
        }
    }
}
