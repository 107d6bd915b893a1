package org.celeriac.monitor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How a monitor runs: where it listens, who may use it, how many tasks it keeps, and whether (and where) it
 * persists its state. The command line builds one from its options, the container from configuration
 * {@code org.celeriac.monitor} ({@link #fromProperties}).
 *
 * @param address        the address to listen on; anything but loopback needs {@code basicAuth}
 * @param port           the port, 0 for any free one
 * @param basicAuth      {@code user:password[,user:password...]}, or null for none
 * @param maxTasks       tasks kept, the oldest heard of dropped first
 * @param inspectTimeout how long {@code /api/workers} waits for the workers' answers
 * @param database       the H2 database (path without {@code .mv.db}) its state is kept in, or null: not persistent
 * @param apiTokens      tokens scripts may give as {@code Authorization: Bearer TOKEN} instead of a password
 *                       ({@link ApiAuth}); none for none
 */
public record MonitorConfig(String address, int port, String basicAuth, int maxTasks, Duration inspectTimeout,
                            Path database, List<String> apiTokens) {
    /** Flower's defaults. */
    public static final String DEFAULT_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_PORT = 5555;
    public static final int DEFAULT_MAX_TASKS = 10_000;
    public static final Duration DEFAULT_INSPECT_TIMEOUT = Duration.ofSeconds(1);
    /** The database of a persistent monitor, in its data directory. */
    public static final String DEFAULT_DATABASE = "celeriac-data/monitor";

    /** Without API tokens. */
    public MonitorConfig(String address, int port, String basicAuth, int maxTasks, Duration inspectTimeout,
                         Path database) {
        this(address, port, basicAuth, maxTasks, inspectTimeout, database, List.of());
    }

    /**
     * @throws IllegalArgumentException when a value is out of range, {@code basicAuth} is not users or a token is
     *                                  blank
     */
    public MonitorConfig {
        if (address == null || address.isBlank()) {
            throw new IllegalArgumentException("address must not be empty");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535, not " + port);
        }
        if (maxTasks < 1) {
            throw new IllegalArgumentException("max_tasks must be at least 1, not " + maxTasks);
        }
        if (inspectTimeout == null || inspectTimeout.isNegative()) {
            throw new IllegalArgumentException("the inspect timeout must not be negative");
        }
        if (basicAuth != null && basicAuth.isBlank()) {
            basicAuth = null;
        }
        apiTokens = apiTokens == null ? List.of() : List.copyOf(apiTokens);
        ApiAuth.of(basicAuth, apiTokens);
    }

    /** Who may use the monitor: its basic-auth users and its API tokens. */
    ApiAuth auth() {
        return ApiAuth.of(basicAuth, apiTokens);
    }

    /**
     * The container's configuration {@code org.celeriac.monitor}: {@code address}, {@code port},
     * {@code basic_auth}, {@code api_tokens} (comma-separated), {@code max_tasks}, {@code inspect_timeout}
     * (seconds), {@code persistent} and {@code db} (relative to {@code dataDir}), each optional.
     *
     * @throws IllegalArgumentException when a value is not valid
     */
    static MonitorConfig fromProperties(Map<String, ?> properties, Path dataDir) {
        String db = text(properties, "db", DEFAULT_DATABASE);
        return new MonitorConfig(text(properties, "address", DEFAULT_ADDRESS),
                integer(properties, "port", DEFAULT_PORT), text(properties, "basic_auth", null),
                integer(properties, "max_tasks", DEFAULT_MAX_TASKS),
                seconds(properties, "inspect_timeout", DEFAULT_INSPECT_TIMEOUT),
                flag(properties, "persistent", false) ? dataDir.resolve(db) : null,
                ApiAuth.splitTokens(text(properties, "api_tokens", null)));
    }

    /** Whether configuration {@code org.celeriac.monitor} lets the monitor run: its {@code enabled}, true if absent. */
    static boolean enabled(Map<String, ?> properties) {
        return flag(properties, "enabled", true);
    }

    private static String text(Map<String, ?> properties, String key, String fallback) {
        Object value = properties.get(key);
        return value == null || value.toString().isBlank() ? fallback : value.toString().trim();
    }

    private static int integer(Map<String, ?> properties, String key, int fallback) {
        String value = text(properties, key, null);
        try {
            return value == null ? fallback : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, not " + value, e);
        }
    }

    private static Duration seconds(Map<String, ?> properties, String key, Duration fallback) {
        String value = text(properties, key, null);
        try {
            return value == null ? fallback : Duration.ofMillis(Math.round(Double.parseDouble(value) * 1000));
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(key + " must be a number of seconds, not " + value, e);
        }
    }

    private static boolean flag(Map<String, ?> properties, String key, boolean fallback) {
        String value = text(properties, key, null);
        if (value == null) {
            return fallback;
        }
        switch (value.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1": return true;
            case "false", "no", "off", "0": return false;
            default: throw new IllegalArgumentException(key + " must be true or false, not " + value);
        }
    }

    /** Without the passwords, for logs. */
    @Override
    public String toString() {
        return "MonitorConfig[address=" + address + ", port=" + port + ", basicAuth=" + (basicAuth == null ? "none" : "***")
                + ", maxTasks=" + maxTasks + ", inspectTimeout=" + inspectTimeout + ", database=" + database
                + ", apiTokens=" + apiTokens.size() + "]";
    }
}
