package org.celeriac.memory;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.celeriac.spi.beat.ScheduleStore;
import org.celeriac.spi.beat.ScheduleStoreFactory;
import org.osgi.service.component.annotations.Component;

/** {@code memory://NAME}: stores opened on the same URL through one factory share their runs, entries and lease. */
@Component(service = ScheduleStoreFactory.class)
public final class MemoryScheduleStoreFactory implements ScheduleStoreFactory {

    private final Map<String, MemoryScheduleStore.Shared> stores = new ConcurrentHashMap<>();

    @Override
    public Set<String> schemes() {
        return Set.of("memory");
    }

    @Override
    public ScheduleStore open(String url, Map<String, String> options) {
        return new MemoryScheduleStore(stores.computeIfAbsent(url, u -> new MemoryScheduleStore.Shared()));
    }
}
