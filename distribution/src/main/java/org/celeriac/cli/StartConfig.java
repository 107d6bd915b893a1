package org.celeriac.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.celeriac.config.Settings;

/**
 * How {@code celeriac start} carries its settings (flags, {@code CELERIAC_*} variables, the settings file, the
 * defaults) into the container: a new home's {@code etc/org.celeriac.cfg} names the broker and backend they
 * resolve to, made absolute (so {@code ./celeriac call} run where start ran reaches the same database), and the
 * worker settings they give. An existing home's file is left as its operator made it, and rules; when it names
 * something else than the settings, start says so.
 */
final class StartConfig {
    /** Carried into a new home when given (when they differ from the default), besides broker and backend. */
    private static final List<String> WORKER_SETTINGS = List.of(Settings.WORKER_QUEUES, Settings.WORKER_CONCURRENCY,
            Settings.WORKER_PREFETCH_MULTIPLIER, Settings.WORKER_HOSTNAME, Settings.TASK_DEFAULT_QUEUE,
            Settings.TASK_ACKS_LATE, Settings.TASK_SERIALIZER, Settings.ACCEPT_CONTENT, Settings.RESULT_EXPIRES,
            Settings.MESSAGE_MAX_BYTES, Settings.DEAD_LETTER_QUEUE, Settings.TASK_TIME_LIMIT,
            Settings.TASK_SOFT_TIME_LIMIT, Settings.TASK_TRACK_STARTED);
    /** Plugin options, carried too (all but the data directory, which is in the URLs). */
    private static final List<String> OPTION_PREFIXES = List.of("broker_transport_options.",
            "result_backend_transport_options.", "broker_use_ssl.", "redis_backend_use_ssl.");
    private static final Pattern SETTING_LINE = Pattern.compile("^\\s*([A-Za-z0-9_.]+)\\s*[=:].*");
    /** A default shown commented out, as the shipped file does: {@code #worker_concurrency = 8}. */
    private static final Pattern COMMENTED_SETTING_LINE = Pattern.compile("^#([A-Za-z0-9_.]+)\\s*[=:].*");

    private StartConfig() {
    }

    /**
     * What start writes into a new home: the shipped file with the broker and backend of {@code given} (the line
     * describing them adapted) and the other settings given, in place of the commented-out defaults; the
     * template's other comments stay.
     *
     * @param template the shipped {@code org.celeriac.cfg}
     * @param workDir  where start runs: what relative database paths are relative to
     */
    static String forNewHome(String template, Settings given, Path workDir) {
        Map<String, String> toWrite = carried(given, workDir);
        List<String> lines = new ArrayList<>(template.lines().toList());
        replaceValues(lines, SETTING_LINE, toWrite);
        replaceValues(lines, COMMENTED_SETTING_LINE, toWrite);
        describeDatabase(lines, given, workDir);
        if (!toWrite.isEmpty()) {
            lines.add("");
            lines.add("# Given to celeriac start when it created this home.");
            toWrite.forEach((name, value) -> lines.add(line(name, value)));
        }
        return String.join("\n", lines) + "\n";
    }

    /**
     * The warning start prints when the home's file names another broker or backend, or sets another value for
     * a worker setting given to start, than the settings given to start; empty when they agree.
     *
     * @param file the home's {@code etc/org.celeriac.cfg}
     * @param inFile what it sets, as the container's runtime reads it (the defaults apply to the rest)
     */
    static Optional<String> warning(Path file, Map<String, String> inFile, Settings given, Path workDir) {
        Settings configured = Settings.of(inFile);
        List<String> differences = new ArrayList<>();
        carried(given, workDir).forEach((name, wanted) -> {
            String effective = switch (name) {
                case Settings.BROKER_URL -> DatabaseUrls.broker(configured, workDir);
                case Settings.RESULT_BACKEND -> DatabaseUrls.backend(configured, workDir);
                default -> configured.get(name);
            };
            if (!Objects.equals(effective, wanted)) {
                String there = inFile.containsKey(name) ? name + " = " + Urls.redact(effective)
                        : name + " not set" + (effective == null ? "" : ", so " + Urls.redact(effective));
                differences.add("  " + there + "  (start's settings: " + Urls.redact(wanted) + ")");
            }
        });
        if (differences.isEmpty()) {
            return Optional.empty();
        }
        String nl = System.lineSeparator();
        return Optional.of("celeriac: warning: this existing home's configuration rules, not the settings given to "
                + "start: " + file + nl + String.join(nl, differences) + nl
                + "Start leaves an existing home's file as it is: edit it to change them (a saved change applies "
                + "without a restart), or give start a new home (--home DIR).");
    }

    /** Broker and backend, absolute, then the other settings given that a container's configuration takes. */
    static Map<String, String> carried(Settings given, Path workDir) {
        Map<String, String> carried = new LinkedHashMap<>();
        carried.put(Settings.BROKER_URL, DatabaseUrls.broker(given, workDir));
        carried.put(Settings.RESULT_BACKEND, DatabaseUrls.backend(given, workDir));
        Settings defaults = Settings.defaults();
        for (String name : WORKER_SETTINGS) {
            String value = given.get(name);
            if (value != null && !value.equals(defaults.get(name))) {
                carried.put(name, value);
            }
        }
        new TreeMap<>(given.asMap()).forEach((name, value) -> {
            if (OPTION_PREFIXES.stream().anyMatch(name::startsWith) && !DatabaseUrls.isFoldedIntoUrl(name)) {
                carried.put(name, value);
            }
        });
        return carried;
    }

    /**
     * Sets the lines that {@code pattern} finds for a setting of {@code toWrite} (every one of them: in a
     * properties file the last one counts), and removes the setting from there.
     */
    private static void replaceValues(List<String> lines, Pattern pattern, Map<String, String> toWrite) {
        Set<String> written = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = pattern.matcher(lines.get(i));
            if (m.matches() && toWrite.containsKey(m.group(1))) {
                lines.set(i, line(m.group(1), toWrite.get(m.group(1))));
                written.add(m.group(1));
            }
        }
        toWrite.keySet().removeAll(written);
    }

    /** The comment line right above {@code broker_url} says what the database is; the shipped one says data/. */
    private static void describeDatabase(List<String> lines, Settings given, Path workDir) {
        for (int i = 0; i < lines.size(); i++) {
            Matcher m = SETTING_LINE.matcher(lines.get(i));
            if (m.matches() && m.group(1).equals(Settings.BROKER_URL)) {
                String embedded = DatabaseUrls.absolute(Settings.EMBEDDED_SQL, null, workDir);
                List<String> description = embedded.equals(DatabaseUrls.broker(given, workDir))
                        && embedded.equals(DatabaseUrls.backend(given, workDir))
                        ? List.of("# Here: the embedded H2 database in celeriac-data/ of the directory celeriac start "
                                + "created this home from,", "# which ./celeriac call/result/purge run there use by "
                                + "default.")
                        : List.of("# Here: what the settings given to celeriac start named when it created this home.");
                boolean replaces = i > 0 && lines.get(i - 1).startsWith("# Here:");
                if (replaces) {
                    lines.remove(i - 1);
                    i--;
                }
                lines.addAll(i, description);
                return;
            }
        }
    }

    /** A {@code name = value} line; a backslash would start an escape in the file. */
    private static String line(String name, String value) {
        return name + " = " + value.replace("\\", "\\\\");
    }
}
