package org.celeriac.container;

import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/**
 * The configurations in the container's Config Admin, read from outside the framework. The Config Admin API
 * is not on the tests' class path (and would be another copy of it if it were), so its types are taken
 * from the bundle that provides the service and called reflectively.
 */
final class ConfigAdminView {
    private static final String CONFIGURATION_ADMIN = "org.osgi.service.cm.ConfigurationAdmin";

    private final BundleContext context;

    ConfigAdminView(BundleContext context) {
        this.context = context;
    }

    /** The properties of the configuration with this PID, empty when there is none. */
    Optional<Map<String, Object>> properties(String pid) throws Exception {
        ServiceReference<?> reference = context.getServiceReference(CONFIGURATION_ADMIN);
        if (reference == null) {
            throw new AssertionError("no ConfigurationAdmin service in the container");
        }
        Object admin = context.getService(reference);
        try {
            Class<?> adminType = reference.getBundle().loadClass(CONFIGURATION_ADMIN);
            Object found = adminType.getMethod("listConfigurations", String.class)
                    .invoke(admin, "(service.pid=" + pid + ")");
            if (found == null || Array.getLength(found) == 0) {
                return Optional.empty();
            }
            Object configuration = Array.get(found, 0);
            Class<?> configurationType = reference.getBundle().loadClass("org.osgi.service.cm.Configuration");
            Dictionary<?, ?> properties = (Dictionary<?, ?>) configurationType.getMethod("getProperties")
                    .invoke(configuration);
            Map<String, Object> map = new HashMap<>();
            if (properties != null) {
                for (Object key : Collections.list(properties.keys())) {
                    map.put(key.toString(), properties.get(key));
                }
            }
            return Optional.of(map);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            context.ungetService(reference);
        }
    }
}
