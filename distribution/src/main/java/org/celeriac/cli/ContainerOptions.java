package org.celeriac.cli;

import java.nio.file.Path;

import org.celeriac.container.ContainerHome;

import picocli.CommandLine.Option;

/** Where a container runs: the options {@code container} and {@code start} share. */
final class ContainerOptions {
    /** Set by the installation's bin/celeriac to the installation's root. */
    static final String HOME_PROPERTY = "celeriac.home";
    static final Path DEFAULT_HOME = Path.of("celeriac-home");

    @Option(names = "--home", paramLabel = "DIR", order = 50,
            description = "The home directory, created when missing. Default: the installation's root when run "
                    + "by its bin/celeriac, else celeriac-home in the working directory.")
    Path home;

    @Option(names = "--bundles", paramLabel = "DIR", order = 51,
            description = "The bundles started with the container. Default: bundles/ next to celeriac.jar.")
    Path bundles;

    ContainerHome containerHome() {
        return new ContainerHome(homeDir(), bundles != null ? bundles : ContainerHome.defaultBundles());
    }

    /** Whether this runs from an installation (its bin/celeriac), rather than from a source checkout. */
    static boolean installed() {
        String installation = System.getProperty(HOME_PROPERTY);
        return installation != null && !installation.isBlank();
    }

    private Path homeDir() {
        if (home != null) {
            return home;
        }
        return installed() ? Path.of(System.getProperty(HOME_PROPERTY)) : DEFAULT_HOME;
    }
}
