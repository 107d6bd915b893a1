package org.celeriac.container;

import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.osgi.framework.BundleException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * FileInstall's messages into the container's log: above all, why a jar dropped into deploy/ does not resolve
 * or start, and why a file in etc/ cannot be read. Without a Log Service FileInstall prints to standard
 * output, or, with {@code felix.fileinstall.log.default=jul}, logs to the java.util.logging logger
 * {@value #JUL_LOGGER}; this handler, attached there while a container runs, passes that on to SLF4J.
 */
final class FileInstallLog extends Handler {
    static final String JUL_LOGGER = "fileinstall";
    private static final Logger LOG = LoggerFactory.getLogger("org.apache.felix.fileinstall");

    /** Held while the container runs: java.util.logging keeps its loggers only weakly. */
    private final java.util.logging.Logger julLogger = java.util.logging.Logger.getLogger(JUL_LOGGER);

    /** Routes FileInstall's logger here, and only here (not also to the console). */
    void attach() {
        julLogger.addHandler(this);
        julLogger.setUseParentHandlers(false);
    }

    void detach() {
        julLogger.removeHandler(this);
    }

    @Override
    public void publish(LogRecord record) {
        String message = record.getMessage();
        Throwable trace = record.getThrown();
        if (trace instanceof BundleException) {
            // What did not resolve or start: the message says it all, the trace is FileInstall's and Felix's.
            message = message + ": " + trace.getMessage();
            trace = null;
        }
        int level = record.getLevel().intValue();
        if (level >= Level.SEVERE.intValue()) {
            LOG.error(message, trace);
        } else if (level >= Level.WARNING.intValue()) {
            LOG.warn(message, trace);
        } else if (level >= Level.INFO.intValue()) {
            LOG.info(message, trace);
        } else {
            LOG.debug(message, trace);
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
