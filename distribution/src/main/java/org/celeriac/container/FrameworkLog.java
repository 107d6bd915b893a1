package org.celeriac.container;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleException;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Felix's own messages (a bundle that fails to resolve or start, ...) into the container's log, not onto stdout. */
final class FrameworkLog extends org.apache.felix.framework.Logger {
    private static final Logger LOG = LoggerFactory.getLogger("org.apache.felix.framework");

    @Override
    protected void doLog(Bundle bundle, @SuppressWarnings("rawtypes") ServiceReference service, int level,
                         String message, Throwable error) {
        String text = bundle == null ? message : bundle.getSymbolicName() + " [" + bundle.getBundleId() + "]: " + message;
        Throwable trace = error;
        if (error instanceof BundleException) {
            // A bundle that does not resolve or start: its message says what is missing; the trace is Felix's.
            text = text + ": " + error.getMessage();
            trace = null;
        }
        switch (level) {
            case LOG_ERROR -> LOG.error(text, trace);
            case LOG_WARNING -> LOG.warn(text, trace);
            case LOG_INFO -> LOG.info(text, trace);
            default -> LOG.debug(text, trace);
        }
    }
}
