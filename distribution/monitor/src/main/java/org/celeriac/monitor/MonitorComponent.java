package org.celeriac.monitor;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

import org.celeriac.app.Celeriac;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor in the container: active while configuration {@value #PID} ({@code etc/org.celeriac.monitor.cfg})
 * and the container's app (the kernel publishes it while it is open) are there, serving that app's cluster.
 * Stopped with its bundle, when the app goes (the kernel reconfigures or stops it) and when the configuration
 * changes, which starts it again on the new settings. A monitor that cannot start (its port in use, a bad
 * configuration) says why in the log; the component stays active and the container runs on without it.
 */
@Component(configurationPid = MonitorComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
public final class MonitorComponent {
    private static final Logger LOG = LoggerFactory.getLogger(MonitorComponent.class);
    /** The configuration's persistent id: {@code etc/org.celeriac.monitor.cfg} under FileInstall. */
    static final String PID = "org.celeriac.monitor";
    /** The framework property the container sets to its data directory: where a relative {@code db} is. */
    static final String DATA_PROPERTY = "celeriac.data";

    private final Monitor monitor; // null when disabled or not started

    @Activate
    public MonitorComponent(@Reference Celeriac app, Map<String, Object> properties, BundleContext context) {
        this(app, properties, dataDirectory(context));
    }

    MonitorComponent(Celeriac app, Map<String, Object> properties, Path dataDir) {
        this.monitor = start(app, properties, dataDir);
    }

    private static Monitor start(Celeriac app, Map<String, Object> properties, Path dataDir) {
        if (!MonitorConfig.enabled(properties)) {
            LOG.info("The monitor is disabled (enabled = false in configuration {})", PID);
            return null;
        }
        MonitorConfig config;
        try {
            config = MonitorConfig.fromProperties(properties, dataDir);
        } catch (IllegalArgumentException e) {
            LOG.error("Configuration {} is not valid, the monitor does not start until it is: {}", PID, e.getMessage());
            return null;
        }
        try {
            Monitor monitor = Monitor.start(app, config);
            InetSocketAddress at = monitor.address();
            LOG.info("Monitor serving http://{}:{}/{}", at.getHostString(), at.getPort(),
                    config.database() == null ? "" : ", its state kept in " + config.database());
            return monitor;
        } catch (BindException e) {
            LOG.error("The monitor cannot listen on {}:{}, the port is in use ({}): set another port in configuration {}",
                    config.address(), config.port(), e.getMessage(), PID);
        } catch (IllegalArgumentException e) {
            LOG.error("The monitor does not start: {} (configuration {})", e.getMessage(), PID);
        } catch (IOException | SQLException | RuntimeException e) {
            LOG.error("The monitor cannot start on {}: {}", config, e.toString(), e);
        }
        return null;
    }

    /** Where it serves, while it does. */
    Optional<InetSocketAddress> address() {
        return monitor == null ? Optional.empty() : Optional.of(monitor.address());
    }

    @Deactivate
    void deactivate() {
        if (monitor != null) {
            monitor.close();
            LOG.info("Monitor stopped");
        }
    }

    /** The container's data directory, or the working directory in a framework other than the container. */
    private static Path dataDirectory(BundleContext context) {
        String value = context.getProperty(DATA_PROPERTY);
        return Path.of(value == null || value.isBlank() ? "." : value.trim());
    }
}
