package org.celeriac.discovery;

import java.util.List;
import java.util.ServiceLoader;

import org.celeriac.spi.backend.ResultBackendFactory;
import org.celeriac.spi.beat.ScheduleStoreFactory;
import org.celeriac.spi.events.EventSink;
import org.celeriac.spi.serializer.Serializer;
import org.celeriac.spi.transport.TransportFactory;

/**
 * Plugins named in {@code META-INF/services} on a class path. Loaded once: factories keep state (the
 * in-memory broker, shared connection pools) that must live as long as the catalog.
 */
public final class ServiceLoaderCatalog implements PluginCatalog {

    private final List<TransportFactory> transports;
    private final List<ResultBackendFactory> backends;
    private final List<Serializer> serializers;
    private final List<EventSink> eventSinks;
    private final List<ScheduleStoreFactory> scheduleStores;

    public ServiceLoaderCatalog(ClassLoader loader) {
        this.transports = load(TransportFactory.class, loader);
        this.backends = load(ResultBackendFactory.class, loader);
        this.serializers = load(Serializer.class, loader);
        this.eventSinks = load(EventSink.class, loader);
        this.scheduleStores = load(ScheduleStoreFactory.class, loader);
    }

    public ServiceLoaderCatalog() {
        this(ServiceLoaderCatalog.class.getClassLoader());
    }

    private static <T> List<T> load(Class<T> type, ClassLoader loader) {
        return ServiceLoader.load(type, loader).stream().map(ServiceLoader.Provider::get).toList();
    }

    @Override
    public List<TransportFactory> transports() {
        return transports;
    }

    @Override
    public List<ResultBackendFactory> backends() {
        return backends;
    }

    @Override
    public List<Serializer> serializers() {
        return serializers;
    }

    @Override
    public List<EventSink> eventSinks() {
        return eventSinks;
    }

    @Override
    public List<ScheduleStoreFactory> scheduleStores() {
        return scheduleStores;
    }
}
