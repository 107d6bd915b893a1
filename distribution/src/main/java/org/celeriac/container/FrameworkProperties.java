package org.celeriac.container;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.osgi.framework.Constants;

/** The embedded Felix's configuration for a home: where its cache is, what it exports, what FileInstall watches. */
final class FrameworkProperties {
    /** The framework property holding the home directory; {@code ${celeriac.home}} in {@code etc/*.cfg} files. */
    static final String HOME = "celeriac.home";
    /** The framework property holding the data directory: where the runtime puts a relative {@code file:} beat store. */
    static final String DATA = "celeriac.data";
    /** How often FileInstall looks at deploy/ and etc/. */
    static final Duration POLL = Duration.ofSeconds(1);
    /** The JDK's HTTP server package, which the monitor's bundle serves on. */
    static final String JDK_HTTP_SERVER = "com.sun.net.httpserver";

    private FrameworkProperties() {
    }

    /** @throws IllegalArgumentException when the home's path has a comma, which separates FileInstall's directories */
    static Map<String, Object> of(ContainerHome home) {
        if (home.dir().toString().contains(",")) {
            throw new IllegalArgumentException("the container's home may not have a comma in its path: " + home.dir());
        }
        Map<String, Object> p = new HashMap<>();
        p.put(HOME, home.dir().toString());
        p.put(DATA, home.data().toString());
        p.put(Constants.FRAMEWORK_STORAGE, home.cache().toString());
        // Every start rebuilds the framework from bundles/ and deploy/: what runs is what the directories hold.
        p.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        // The JDK's HTTP server, for the monitor's bundle: the framework exports only java.* of the JDK by default.
        p.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, Slf4jPackages.exportedByClassPath() + "," + JDK_HTTP_SERVER);
        p.put(Constants.FRAMEWORK_BEGINNING_STARTLEVEL, Integer.toString(StartLevels.DEPLOYED));
        // No JVM-wide URL stream handler factory: nothing here needs OSGi URL handlers, and an embedded framework
        // should leave the JVM as it found it (tests boot several in one JVM).
        p.put("felix.service.urlhandlers", "false");
        p.put("felix.log.logger", new FrameworkLog());
        p.put("felix.log.level", "3"); // up to info; the slf4j configuration decides what is shown
        p.put("ds.loglevel", "warn");

        // FileInstall: jars in deploy/ are bundles, PID.cfg files in etc/ are configurations.
        p.put("felix.fileinstall.dir", home.deploy() + "," + home.etc());
        p.put("felix.fileinstall.poll", Long.toString(POLL.toMillis()));
        // Read the directories as FileInstall starts, before Celeriac's bundles (see StartLevels).
        p.put("felix.fileinstall.noInitialDelay", "true");
        p.put("felix.fileinstall.bundles.new.start", "true");
        p.put("felix.fileinstall.start.level", Integer.toString(StartLevels.DEPLOYED));
        // Editors' backup and swap files (org.celeriac.cfg~, .org.celeriac.cfg.swp) are not artifacts.
        p.put("felix.fileinstall.filter", ".*\\.(jar|cfg|config)");
        // The files are the operator's: FileInstall must not write configuration changes back into them.
        p.put("felix.fileinstall.enableConfigSave", "false");
        p.put("felix.fileinstall.configEncoding", "UTF-8");
        p.put("felix.fileinstall.tmpdir", home.data().resolve("tmp").toString());
        // Warnings (a deployed jar that does not resolve) through java.util.logging, which FileInstallLog
        // passes on to the container's log; FileInstall's default is errors only, on standard output.
        p.put("felix.fileinstall.log.default", "jul");
        p.put("felix.fileinstall.log.level", "3");
        return p;
    }
}
