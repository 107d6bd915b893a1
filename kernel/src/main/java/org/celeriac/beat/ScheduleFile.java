package org.celeriac.beat;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * A beat schedule file: YAML in the shape of Celery's {@code beat_schedule} dict, an entry per name.
 *
 * <pre>
 * every-second:
 *   task: demo.add
 *   schedule: 1                      # seconds; or {crontab: "*&#47;15 9-17 * * mon-fri"}; or {solar: sunset, lat: 52.5, lon: 13.4}
 *   args: [1, 2]
 *   options: {queue: celery, expires: 10}
 * </pre>
 *
 * Read with SnakeYAML's safe constructor: plain maps, lists and scalars, never objects the file names. SnakeYAML is
 * an optional import of the kernel bundle: only this class uses it, so a container without it runs everything but
 * schedule files.
 */
public final class ScheduleFile {
    private ScheduleFile() {
    }

    /**
     * The entries of a schedule file, in the file's order.
     *
     * @param zone the zone of crontab and local clocked times that name none ({@code beat_timezone})
     * @throws IllegalArgumentException naming the file and what is wrong in it, or why it cannot be read
     */
    public static List<BeatEntry> read(Path file, ZoneId zone) {
        Object doc;
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("beat schedule file " + file + " cannot be read: " + e.getMessage(), e);
        } catch (YAMLException e) {
            throw new IllegalArgumentException("beat schedule file " + file + " is not valid YAML: " + e.getMessage(), e);
        }
        return entries(doc, zone, "beat schedule file " + file);
    }

    /**
     * A value from YAML text, as plain maps, lists and scalars: the {@code --every} of {@code celeriac beat add}.
     *
     * @throws IllegalArgumentException when it is not valid YAML
     */
    public static Object parseValue(String yaml) {
        try {
            return plain(new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml));
        } catch (YAMLException e) {
            throw new IllegalArgumentException("not valid YAML: " + yaml + " (" + e.getMessage() + ")", e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<BeatEntry> entries(Object doc, ZoneId zone, String where) {
        if (doc == null) {
            return List.of();
        }
        if (!(doc instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException(where + ": expected a mapping of entry names to entries");
        }
        List<BeatEntry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String name = String.valueOf(e.getKey());
            if (!(plain(e.getValue()) instanceof Map<?, ?> definition)) {
                throw new IllegalArgumentException(where + ": entry '" + name + "' must be a mapping (task, schedule, "
                        + "args, kwargs, options)");
            }
            try {
                entries.add(BeatEntry.fromDefinition(name, (Map<String, ?>) definition, zone));
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException(where + ": " + x.getMessage(), x);
            }
        }
        return entries;
    }

    /** YAML's timestamps as ISO text, as JSON would carry them; keys as strings. */
    private static Object plain(Object value) {
        if (value instanceof Date d) {
            return d.toInstant().toString();
        }
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(v -> out.add(plain(v)));
            return out;
        }
        return value;
    }
}
