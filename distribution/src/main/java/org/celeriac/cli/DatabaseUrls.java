package org.celeriac.cli;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.celeriac.config.Settings;

/**
 * Broker and backend URLs made independent of the working directory. The embedded database's URLs ({@code sql://},
 * {@code sql:file:PATH} with a relative path) name a file relative to the directory a process runs in; here they
 * become {@code sql:file:ABSOLUTE-PATH}, so that URLs from different places (flags, a home's configuration, the
 * defaults) compare equal exactly when they reach the same database, and a file written in one directory means
 * the same anywhere. Other URLs are returned as they are.
 */
final class DatabaseUrls {
    private static final String BROKER_OPTIONS = "broker_transport_options.";
    private static final String BACKEND_OPTIONS = "result_backend_transport_options.";
    /** The SQL plugins' option naming the embedded database's directory, relative to the working directory. */
    static final String DATA_DIR = "data_dir";
    /** The embedded database's directory and file name when no {@value #DATA_DIR} is given, as the SQL plugins have it. */
    private static final String DEFAULT_DIR = "celeriac-data";
    private static final String DEFAULT_NAME = "celeriac";

    private DatabaseUrls() {
    }

    /** The settings' broker URL, with its {@code broker_transport_options.data_dir}, made absolute. */
    static String broker(Settings settings, Path workDir) {
        return absolute(settings.get(Settings.BROKER_URL), settings.get(BROKER_OPTIONS + DATA_DIR), workDir);
    }

    /** The settings' result backend URL, with its {@code result_backend_transport_options.data_dir}, made absolute. */
    static String backend(Settings settings, Path workDir) {
        return absolute(settings.get(Settings.RESULT_BACKEND), settings.get(BACKEND_OPTIONS + DATA_DIR), workDir);
    }

    /** Whether a setting is one of the options that {@link #broker} and {@link #backend} fold into the URL. */
    static boolean isFoldedIntoUrl(String setting) {
        return setting.equals(BROKER_OPTIONS + DATA_DIR) || setting.equals(BACKEND_OPTIONS + DATA_DIR);
    }

    /**
     * @param url     a broker or backend URL
     * @param dataDir the {@value #DATA_DIR} option given in the settings, or null; one in the URL's query wins
     * @param workDir the directory the URL is relative to: where the process using it runs
     * @return {@code sql:file:ABSOLUTE-PATH} with the rest of the query for the embedded database's forms
     *         ({@code sql:}, {@code sql://}, {@code sql:default}, {@code sql:file:PATH}), else the URL itself
     */
    static String absolute(String url, String dataDir, Path workDir) {
        if (url == null) {
            return null;
        }
        String trimmed = url.trim();
        int colon = trimmed.indexOf(':');
        if (colon < 0 || !trimmed.substring(0, colon).toLowerCase(Locale.ROOT).equals("sql")) {
            return trimmed;
        }
        int question = trimmed.indexOf('?');
        String location = (question < 0 ? trimmed : trimmed.substring(0, question)).substring(colon + 1);
        if (location.startsWith("//")) {
            location = location.substring(2);
        }
        String dir = dataDir == null || dataDir.isBlank() ? null : dataDir.trim();
        List<String> query = new ArrayList<>();
        if (question >= 0) {
            for (String param : trimmed.substring(question + 1).split("&")) {
                if (param.isEmpty()) {
                    continue;
                }
                int eq = param.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? param : param.substring(0, eq), StandardCharsets.UTF_8);
                if (key.equals(DATA_DIR)) {
                    dir = URLDecoder.decode(eq < 0 ? "" : param.substring(eq + 1), StandardCharsets.UTF_8);
                } else {
                    query.add(param);
                }
            }
        }
        Path file;
        if (location.isEmpty() || location.equals("default")) {
            file = workDir.resolve(dir == null || dir.isBlank() ? DEFAULT_DIR : dir).resolve(DEFAULT_NAME);
        } else if (location.startsWith("file:") && location.length() > 5 && !location.startsWith("file:~")) {
            file = workDir.resolve(location.substring(5)); // the data_dir option does not apply to a path
        } else {
            return trimmed; // a home-relative path (H2 expands ~) or a form the plugin refuses with a message
        }
        return "sql:file:" + file.toAbsolutePath().normalize() + (query.isEmpty() ? "" : "?" + String.join("&", query));
    }
}
