package org.celeriac.security;

import java.util.ArrayList;
import java.util.List;

import org.celeriac.discovery.PluginCatalog;
import org.celeriac.spi.backend.ResultBackendFactory;
import org.celeriac.spi.beat.ScheduleStoreFactory;
import org.celeriac.spi.events.EventSink;
import org.celeriac.spi.serializer.Serializer;
import org.celeriac.spi.transport.TransportFactory;

/**
 * A catalog with the app's own {@code auth} serializer before the plugins' serializers, read live otherwise: the
 * serializer is made of the app's settings, so no plugin can offer it.
 */
final class SigningCatalog implements PluginCatalog {
    private final PluginCatalog plugins;
    private final AuthSerializer auth;

    SigningCatalog(PluginCatalog plugins, AuthSerializer auth) {
        this.plugins = plugins;
        this.auth = auth;
    }

    @Override
    public List<TransportFactory> transports() {
        return plugins.transports();
    }

    @Override
    public List<ResultBackendFactory> backends() {
        return plugins.backends();
    }

    @Override
    public List<Serializer> serializers() {
        List<Serializer> all = new ArrayList<>();
        all.add(auth);
        all.addAll(plugins.serializers());
        return all;
    }

    @Override
    public List<EventSink> eventSinks() {
        return plugins.eventSinks();
    }

    @Override
    public List<ScheduleStoreFactory> scheduleStores() {
        return plugins.scheduleStores();
    }
}
