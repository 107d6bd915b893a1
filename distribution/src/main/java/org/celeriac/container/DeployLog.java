package org.celeriac.container;

import java.net.URI;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Path;
import java.util.Optional;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Says in the log what happened to each jar of deploy/: the operator dropped it there and wants to know. */
final class DeployLog implements BundleListener {
    private static final Logger LOG = LoggerFactory.getLogger(DeployLog.class);

    private final Path deploy;

    DeployLog(ContainerHome home) {
        this.deploy = home.deploy();
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        Bundle bundle = event.getBundle();
        String what = switch (event.getType()) {
            case BundleEvent.INSTALLED -> "installed";
            case BundleEvent.UPDATED -> "updated";
            case BundleEvent.STARTED -> "started";
            case BundleEvent.STOPPED -> "stopped";
            case BundleEvent.UNINSTALLED -> "uninstalled";
            default -> null;
        };
        if (what != null) {
            fileInDeploy(bundle.getLocation()).ifPresent(file -> LOG.info("deploy/{}: {} {} {}", file,
                    bundle.getSymbolicName(), bundle.getVersion(), what));
        }
    }

    /** FileInstall's locations are file URIs ({@code file:/home/deploy/x.jar}); others are not deploy/'s. */
    private Optional<Path> fileInDeploy(String location) {
        try {
            Path file = Path.of(URI.create(location));
            return file.startsWith(deploy) ? Optional.of(deploy.relativize(file)) : Optional.empty();
        } catch (IllegalArgumentException | FileSystemNotFoundException e) {
            return Optional.empty();
        }
    }
}
