package org.celeriac.beat;

import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.celeriac.json.JsonSerializer;
import org.celeriac.spi.beat.ScheduleStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The entries added to a store at run time ({@code celeriac beat add}, or from Java), kept there as JSON so that every
 * beat of the store runs them and they outlive the process that added them.
 */
public final class StoredEntries {
    private static final Logger LOG = LoggerFactory.getLogger(StoredEntries.class);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {
    };

    private final ScheduleStore store;
    private final ZoneId zone;
    private final ObjectMapper json = JsonSerializer.newMapper();
    /** Definitions already reported as unreadable, so that each is logged once, not at every look. */
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    public StoredEntries(ScheduleStore store, ZoneId zone) {
        this.store = store;
        this.zone = zone;
    }

    /** Adds an entry, or replaces the stored one of that name. */
    public void add(BeatEntry entry) {
        try {
            store.putEntry(entry.name(), json.writeValueAsString(entry.toDefinition()));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("beat entry '" + entry.name() + "' cannot be stored as JSON: "
                    + e.getOriginalMessage(), e);
        }
    }

    /** Removes an entry and its last run; returns whether there was one. */
    public boolean remove(String name) {
        boolean had = store.removeEntry(name);
        store.forgetRun(name);
        return had;
    }

    /** The stored entries by name; one that no longer reads (a hand-edited store) is logged once and left out. */
    public Map<String, BeatEntry> all() {
        Map<String, BeatEntry> entries = new LinkedHashMap<>();
        store.entries().forEach((name, definition) -> {
            try {
                entries.put(name, BeatEntry.fromDefinition(name, json.readValue(definition, MAP), zone));
            } catch (JsonProcessingException | IllegalArgumentException e) {
                if (reported.add(name + '\n' + definition)) {
                    LOG.warn("Beat: stored entry '{}' is left out: {}", name, e instanceof JsonProcessingException j
                            ? "not JSON: " + j.getOriginalMessage() : e.getMessage());
                }
            }
        });
        return entries;
    }
}
