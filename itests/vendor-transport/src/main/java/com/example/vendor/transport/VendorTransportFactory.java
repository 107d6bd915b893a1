package com.example.vendor.transport;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportFactory;
import org.osgi.service.component.annotations.Component;

/**
 * {@code vendor://NAME}: queues kept in this JVM, one set per URL, shared by every transport opened on it. The
 * factory owns the queues, so they live as long as the component does; uninstalling the bundle drops them.
 */
@Component(service = TransportFactory.class)
public final class VendorTransportFactory implements TransportFactory {

    static final String SCHEME = "vendor";

    private final Map<String, VendorQueues> brokers = new ConcurrentHashMap<>();

    @Override
    public Set<String> schemes() {
        return Set.of(SCHEME);
    }

    @Override
    public Transport open(String url, Map<String, String> options) {
        return new VendorTransport(brokers.computeIfAbsent(url, u -> new VendorQueues()));
    }
}
