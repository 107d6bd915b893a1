package org.celeriac.container;

/**
 * The order the container starts bundles in; stopping goes in reverse. Config Admin first, then Declarative
 * Services, then FileInstall, which reads {@code etc/} and {@code deploy/} as it starts: so every file in
 * {@code etc/} is a configuration before any Celeriac component activates and looks for its own. Then the
 * libraries and Celeriac's plugins, then the kernel, whose runtime thus finds the broker and backend
 * factories at once rather than waiting for them; last what FileInstall installed from {@code deploy/} (task
 * packages and extra plugins). Stopping thus takes the task packages away first, then stops the worker warm
 * while its broker and backend plugins are still there.
 */
final class StartLevels {
    static final int CONFIG_ADMIN = 1;
    static final int DECLARATIVE_SERVICES = 2;
    static final int FILE_INSTALL = 3;
    /** Libraries, Celeriac's API and plugins: everything else in bundles/. */
    static final int RUNTIME = 4;
    static final int KERNEL = 5;
    /** Bundles from deploy/; also the framework's beginning start level. */
    static final int DEPLOYED = 6;

    private StartLevels() {
    }

    static int of(String symbolicName) {
        return switch (symbolicName) {
            case "org.apache.felix.configadmin" -> CONFIG_ADMIN;
            case "org.apache.felix.scr", "org.osgi.service.component", "org.osgi.util.promise",
                    "org.osgi.util.function" -> DECLARATIVE_SERVICES;
            case "org.apache.felix.fileinstall" -> FILE_INSTALL;
            case "org.celeriac.kernel" -> KERNEL;
            default -> RUNTIME;
        };
    }
}
