package org.celeriac.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.celeriac.config.Settings;

import picocli.CommandLine.Option;

/**
 * The options every command takes to find its settings. Settings have Celery's names; each comes from the
 * first of: a flag, a {@code CELERIAC_*} environment variable, the settings file, the default.
 */
final class SettingsOptions {
    static final Path DEFAULT_FILE = Path.of("celeriac.properties");

    @Option(names = "--broker", paramLabel = "URL", order = 100,
            description = "Broker URL (broker_url, env CELERIAC_BROKER_URL). Default: sql://, an embedded H2 "
                    + "database in the celeriac-data directory under the working directory. Also: jdbc:h2 and "
                    + "jdbc:postgresql URLs, memory://NAME (one process only).")
    String broker;

    @Option(names = "--backend", paramLabel = "URL", order = 101,
            description = "Result backend URL (result_backend, env CELERIAC_RESULT_BACKEND). Default: sql://.")
    String backend;

    @Option(names = "--config", paramLabel = "FILE", order = 102,
            description = "Settings file with Celery's names as keys (broker_url=..., worker_concurrency=...). "
                    + "Default: celeriac.properties in the working directory, when it exists.")
    Path config;

    /**
     * @param flags the command's own flags as settings; null values are unset
     * @throws IllegalArgumentException when an explicitly named settings file does not exist
     */
    Settings resolve(Map<String, String> flags, Map<String, String> environment) {
        Map<String, String> explicit = new HashMap<>(flags);
        explicit.put(Settings.BROKER_URL, broker);
        explicit.put(Settings.RESULT_BACKEND, backend);
        if (config != null && !Files.isRegularFile(config)) {
            throw new IllegalArgumentException("settings file not found: " + config);
        }
        return Settings.resolve(explicit, environment, config != null ? config : DEFAULT_FILE);
    }
}
