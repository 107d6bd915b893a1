package org.celeriac.osgi;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import org.celeriac.config.Settings;

/**
 * What the runtime should run, from the properties of configuration {@code org.celeriac}: settings under
 * Celery's names ({@code broker_url}, {@code worker_concurrency}, {@code broker_transport_options.visibility_timeout},
 * ...) and whether this node runs a worker ({@value #WORKER_ENABLED}, default true; false makes a client-only node).
 *
 * @param values        the settings given, without the framework's own keys
 * @param workerEnabled whether to run a worker
 */
record RuntimeConfig(Map<String, String> values, boolean workerEnabled) {

    static final String WORKER_ENABLED = "worker_enabled";

    /** Keys that Config Admin, Declarative Services and FileInstall add to every configuration. */
    private static final List<String> FRAMEWORK_PREFIXES = List.of("service.", "component.", "felix.fileinstall.");

    RuntimeConfig {
        values = Map.copyOf(values);
    }

    /**
     * @throws IllegalArgumentException when {@value #WORKER_ENABLED} is not a boolean
     */
    static RuntimeConfig from(Map<String, ?> properties) {
        Map<String, String> values = new TreeMap<>();
        properties.forEach((key, value) -> {
            String name = key.trim().toLowerCase(Locale.ROOT);
            if (value == null || name.startsWith(".") || name.equals("objectclass")
                    || FRAMEWORK_PREFIXES.stream().anyMatch(name::startsWith)) {
                return; // ".name" is private to Config Admin users by convention; the rest is the framework's
            }
            values.put(name, text(value));
        });
        String enabled = values.remove(WORKER_ENABLED);
        boolean workerEnabled = enabled == null
                || Settings.of(Map.of(WORKER_ENABLED, enabled)).getBoolean(WORKER_ENABLED);
        return new RuntimeConfig(values, workerEnabled);
    }

    Settings settings() {
        return Settings.of(values);
    }

    /** Config Admin values may be typed (FileInstall's .config files, or set by code): lists become comma-separated. */
    private static String text(Object value) {
        if (value.getClass().isArray()) {
            List<Object> items = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) {
                items.add(Array.get(value, i));
            }
            value = items;
        }
        if (value instanceof Collection<?> items) {
            return String.join(",", items.stream().map(v -> String.valueOf(v).trim()).toList());
        }
        return String.valueOf(value).trim();
    }
}
