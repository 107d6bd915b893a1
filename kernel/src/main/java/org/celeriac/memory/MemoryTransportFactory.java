package org.celeriac.memory;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportFactory;
import org.osgi.service.component.annotations.Component;

/**
 * {@code memory://NAME}: transports opened on the same URL through one factory share one broker.
 * The factory owns the brokers, so they live as long as the factory does (in OSGi: as long as the component).
 */
@Component(service = TransportFactory.class)
public final class MemoryTransportFactory implements TransportFactory {

    private final Map<String, MemoryBroker> brokers = new ConcurrentHashMap<>();

    @Override
    public Set<String> schemes() {
        return Set.of("memory");
    }

    @Override
    public Transport open(String url, Map<String, String> options) {
        return new MemoryTransport(brokers.computeIfAbsent(url, u -> new MemoryBroker()));
    }
}
