package org.celeriac.memory;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.ResultBackendFactory;
import org.osgi.service.component.annotations.Component;

/** {@code memory://NAME}: backends opened on the same URL through one factory share their results. */
@Component(service = ResultBackendFactory.class)
public final class MemoryResultBackendFactory implements ResultBackendFactory {

    private final Map<String, MemoryResultBackend.Store> stores = new ConcurrentHashMap<>();

    @Override
    public Set<String> schemes() {
        return Set.of("memory");
    }

    @Override
    public ResultBackend open(String url, Map<String, String> options) {
        return new MemoryResultBackend(stores.computeIfAbsent(url, u -> new MemoryResultBackend.Store()));
    }
}
