package org.celeriac.beat;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.celeriac.json.JsonSerializer;
import org.celeriac.registry.TaskDefinition;
import org.celeriac.registry.TaskRegistry;
import org.celeriac.task.Periodic;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The entries task packages declare with {@code @Periodic}, read from the registry at each look, so that they come
 * and go with their packages.
 */
public final class PackageEntries implements Supplier<List<BeatEntry>> {
    private static final Logger LOG = LoggerFactory.getLogger(PackageEntries.class);

    private final TaskRegistry tasks;
    private final ZoneId zone;
    private final ObjectMapper json = JsonSerializer.newMapper();
    /** Declarations already reported as wrong, so that each is logged once. */
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    public PackageEntries(TaskRegistry tasks, ZoneId zone) {
        this.tasks = tasks;
        this.zone = zone;
    }

    @Override
    public List<BeatEntry> get() {
        List<BeatEntry> entries = new ArrayList<>();
        for (TaskDefinition t : tasks.definitions().values()) {
            List<Periodic> schedules = t.periodic();
            for (int i = 0; i < schedules.size(); i++) {
                Periodic p = schedules.get(i);
                String name = !p.name().isEmpty() ? p.name() : i == 0 ? t.name() : t.name() + "#" + (i + 1);
                try {
                    entries.add(BeatEntry.fromDefinition(name, definition(t.name(), p), zone));
                } catch (IllegalArgumentException | JsonProcessingException e) {
                    if (reported.add(t.location() + "#" + i)) {
                        LOG.warn("Beat: @Periodic of {} is left out: {}", t.location(), e.getMessage());
                    }
                }
            }
        }
        return entries;
    }

    private Map<String, Object> definition(String task, Periodic p) throws JsonProcessingException {
        if ((p.every() > 0) == !p.crontab().isBlank()) {
            throw new IllegalArgumentException("give either every or crontab");
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("task", task);
        if (p.every() > 0) {
            d.put("schedule", p.every());
        } else {
            Map<String, Object> crontab = new LinkedHashMap<>();
            crontab.put("crontab", p.crontab());
            if (!p.timezone().isBlank()) {
                crontab.put("timezone", p.timezone());
            }
            d.put("schedule", crontab);
        }
        d.put("args", json.readValue(p.args(), List.class));
        d.put("kwargs", json.readValue(p.kwargs(), Map.class));
        Map<String, Object> options = new LinkedHashMap<>();
        if (!p.queue().isBlank()) {
            options.put("queue", p.queue());
        }
        if (p.expires() > 0) {
            options.put("expires", p.expires());
        }
        d.put("options", options);
        return d;
    }
}
