package org.celeriac.sql;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A broker or backend URL resolved to a JDBC URL plus options. Forms:
 * <ul>
 * <li>{@code sql:}, {@code sql://} or {@code sql:default}: the embedded H2 database
 *     {@code ./celeriac-data/celeriac} (relative to the working directory; the directory is the
 *     {@code data_dir} option when given), opened with {@code AUTO_SERVER=TRUE} so that several
 *     processes share it;</li>
 * <li>{@code sql:file:PATH}: the same for an H2 database at {@code PATH} (H2 adds {@code .mv.db});</li>
 * <li>{@code jdbc:h2:...} or {@code jdbc:postgresql://host:port/db?user=...&password=...}: used as is.</li>
 * </ul>
 * Options come from the settings map, then from the URL's query ({@code sql:?visibility_timeout=2}),
 * which wins. In a {@code jdbc:} URL only Celeriac's own parameters ({@code visibility_timeout},
 * {@code polling_interval}, {@code data_dir}) are taken as options and removed before the URL reaches the
 * driver; the others belong to the driver.
 */
public final class SqlUrl {

    /** The options Celeriac reads; other settings are ignored. */
    static final Set<String> OPTIONS = Set.of("visibility_timeout", "polling_interval", "data_dir", "disk_reserve");

    static final String DEFAULT_DIR = "./celeriac-data";
    static final String DEFAULT_NAME = "celeriac";

    private static final Pattern SECRET = Pattern.compile("(?i)(password=)[^&;]*");
    private static final Pattern USER_INFO = Pattern.compile("(//[^/@:]*:)[^/@]*@");

    private final String jdbcUrl;
    private final Map<String, String> options;

    private SqlUrl(String jdbcUrl, Map<String, String> options) {
        this.jdbcUrl = jdbcUrl;
        this.options = Collections.unmodifiableMap(options);
    }

    /** @throws IllegalArgumentException when the URL is not one of the supported forms */
    public static SqlUrl parse(String url, Map<String, String> settings) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("No SQL URL given");
        }
        url = url.trim();
        Map<String, String> options = new LinkedHashMap<>();
        if (settings != null) {
            settings.forEach((k, v) -> {
                if (v != null) {
                    options.put(k, v);
                }
            });
        }
        int colon = url.indexOf(':');
        String scheme = colon < 0 ? "" : url.substring(0, colon).toLowerCase(Locale.ROOT);
        int question = url.indexOf('?');
        String base = question < 0 ? url : url.substring(0, question);
        String query = question < 0 ? "" : url.substring(question + 1);
        switch (scheme) {
            case "jdbc": {
                List<String> driverParams = new ArrayList<>();
                for (String param : query.split("&")) {
                    if (param.isEmpty()) {
                        continue;
                    }
                    String[] kv = decode(param);
                    if (OPTIONS.contains(kv[0])) {
                        options.put(kv[0], kv[1]);
                    } else {
                        driverParams.add(param);
                    }
                }
                String jdbc = driverParams.isEmpty() ? base : base + "?" + String.join("&", driverParams);
                Dialect.of(jdbc);
                return new SqlUrl(jdbc, options);
            }
            case "sql": {
                for (String param : query.split("&")) {
                    if (!param.isEmpty()) {
                        String[] kv = decode(param);
                        options.put(kv[0], kv[1]);
                    }
                }
                String location = base.substring(colon + 1);
                if (location.startsWith("//")) {
                    location = location.substring(2);
                }
                String path;
                if (location.isEmpty() || location.equals("default")) {
                    String dir = options.getOrDefault("data_dir", DEFAULT_DIR);
                    path = (dir.endsWith("/") ? dir : dir + "/") + DEFAULT_NAME;
                } else if (location.startsWith("file:") && location.length() > 5) {
                    path = location.substring(5);
                } else {
                    throw new IllegalArgumentException("Unsupported SQL URL " + redact(url)
                            + ": use sql:, sql:file:PATH, jdbc:h2:... or jdbc:postgresql://...");
                }
                // WRITE_DELAY=0: a commit reaches the file before the call returns, so a process killed with
                // kill -9 right after sending a task or acknowledging one loses neither.
                // (DB_CLOSE_ON_EXIT=FALSE would be welcome too, but H2 refuses it with AUTO_SERVER; the
                // command line closes the database itself on SIGTERM and Ctrl-C instead.)
                return new SqlUrl("jdbc:h2:file:" + h2Path(path) + ";AUTO_SERVER=TRUE;WRITE_DELAY=0", options);
            }
            default:
                throw new IllegalArgumentException("Not an SQL URL (sql: or jdbc:): " + redact(url));
        }
    }

    /** H2 refuses paths implicitly relative to the working directory, so make that explicit. */
    private static String h2Path(String path) {
        if (path.contains(";")) {
            throw new IllegalArgumentException("A database path may not contain ';': " + path);
        }
        boolean explicit = path.startsWith("/") || path.startsWith("./") || path.startsWith("../")
                || path.startsWith("~") || path.startsWith("\\") || path.matches("^[A-Za-z]:.*");
        return explicit ? path : "./" + path;
    }

    private static String[] decode(String param) {
        int eq = param.indexOf('=');
        String key = eq < 0 ? param : param.substring(0, eq);
        String value = eq < 0 ? "" : param.substring(eq + 1);
        return new String[] {URLDecoder.decode(key, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8)};
    }

    /** The URL to give the JDBC driver. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    Dialect dialect() {
        return Dialect.of(jdbcUrl);
    }

    /** Settings and URL options merged, the URL's winning. */
    Map<String, String> options() {
        return options;
    }

    /**
     * An option given in (decimal) seconds, as Celery's transport options are.
     *
     * @throws IllegalArgumentException when it is not a non-negative number
     */
    public Duration seconds(String name, Duration fallback) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        double seconds;
        try {
            seconds = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Option " + name + " is not a number of seconds: " + value, e);
        }
        if (!(seconds >= 0) || Double.isInfinite(seconds)) {
            throw new IllegalArgumentException("Option " + name + " must be a non-negative number of seconds: " + value);
        }
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }

    /**
     * An option given in megabytes, as a whole or decimal number.
     *
     * @throws IllegalArgumentException when it is not a non-negative number
     */
    public long megabytes(String name, long fallbackBytes) {
        String value = options.get(name);
        if (value == null || value.isBlank()) {
            return fallbackBytes;
        }
        double mb;
        try {
            mb = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Option " + name + " is not a number of megabytes: " + value, e);
        }
        if (!(mb >= 0) || Double.isInfinite(mb)) {
            throw new IllegalArgumentException("Option " + name + " must be a non-negative number of megabytes: "
                    + value);
        }
        return Math.round(mb * 1024 * 1024);
    }

    /** The file of an H2 file database ({@code PATH}, to which H2 adds {@code .mv.db}), or null for other ones. */
    public static Path h2Database(String jdbcUrl) {
        String prefix = "jdbc:h2:file:";
        if (!jdbcUrl.startsWith(prefix)) {
            return null;
        }
        int end = jdbcUrl.indexOf(';');
        return Path.of(jdbcUrl.substring(prefix.length(), end < 0 ? jdbcUrl.length() : end)).toAbsolutePath()
                .normalize();
    }

    /** The URL with passwords masked, for messages and logs. */
    static String redact(String url) {
        if (url == null) {
            return null;
        }
        return USER_INFO.matcher(SECRET.matcher(url).replaceAll("$1***")).replaceAll("$1***@");
    }

    @Override
    public String toString() {
        return redact(jdbcUrl);
    }
}
