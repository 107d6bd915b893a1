package org.celeriac.osgi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.celeriac.discovery.PluginCatalog;
import org.celeriac.spi.backend.ResultBackendFactory;
import org.celeriac.spi.beat.ScheduleStoreFactory;
import org.celeriac.spi.events.EventSink;
import org.celeriac.spi.serializer.Serializer;
import org.celeriac.spi.transport.TransportFactory;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.util.tracker.ServiceTracker;
import org.osgi.util.tracker.ServiceTrackerCustomizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The plugins registered as OSGi services right now, best first (highest service ranking, then oldest).
 * Listeners hear of every plugin that comes or goes, so that a runtime waiting for a scheme can start and
 * one using a plugin can stop before the plugin is gone.
 */
final class OsgiPluginCatalog implements PluginCatalog, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OsgiPluginCatalog.class);

    private final List<PluginListener> listeners = new CopyOnWriteArrayList<>();
    private final Tracked<TransportFactory> transports;
    private final Tracked<ResultBackendFactory> backends;
    private final Tracked<Serializer> serializers;
    private final Tracked<EventSink> eventSinks;
    private final Tracked<ScheduleStoreFactory> scheduleStores;

    OsgiPluginCatalog(BundleContext context) {
        this.transports = new Tracked<>(context, TransportFactory.class);
        this.backends = new Tracked<>(context, ResultBackendFactory.class);
        this.serializers = new Tracked<>(context, Serializer.class);
        this.eventSinks = new Tracked<>(context, EventSink.class);
        this.scheduleStores = new Tracked<>(context, ScheduleStoreFactory.class);
    }

    void addListener(PluginListener listener) {
        listeners.add(listener);
    }

    /** Starts tracking; plugins already registered are reported to the listeners added before. */
    void open() {
        serializers.tracker.open();
        transports.tracker.open();
        backends.tracker.open();
        eventSinks.tracker.open();
        scheduleStores.tracker.open();
    }

    /** Stops tracking and releases the services; listeners hear of each as removed. */
    @Override
    public void close() {
        scheduleStores.tracker.close();
        eventSinks.tracker.close();
        backends.tracker.close();
        transports.tracker.close();
        serializers.tracker.close();
    }

    @Override
    public List<TransportFactory> transports() {
        return transports.services();
    }

    @Override
    public List<ResultBackendFactory> backends() {
        return backends.services();
    }

    @Override
    public List<Serializer> serializers() {
        return serializers.services();
    }

    @Override
    public List<EventSink> eventSinks() {
        return eventSinks.services();
    }

    @Override
    public List<ScheduleStoreFactory> scheduleStores() {
        return scheduleStores.services();
    }

    /**
     * The services of one type. Kept in a list of our own rather than read from the tracker, because a
     * listener told of a new service must find it here, and the tracker only records it after its callback.
     */
    private final class Tracked<T> implements ServiceTrackerCustomizer<T, T> {
        private final BundleContext context;
        private final String type;
        private final List<Entry<T>> entries = new CopyOnWriteArrayList<>();
        final ServiceTracker<T, T> tracker;

        Tracked(BundleContext context, Class<T> type) {
            this.context = context;
            this.type = type.getSimpleName();
            this.tracker = new ServiceTracker<>(context, type, this);
        }

        List<T> services() {
            List<Entry<T>> sorted = new ArrayList<>(entries);
            // ServiceReference orders by ranking, then age: the greatest is the one to use.
            sorted.sort(Collections.reverseOrder((a, b) -> a.reference().compareTo(b.reference())));
            return sorted.stream().map(Entry::service).toList();
        }

        @Override
        public T addingService(ServiceReference<T> reference) {
            T service = context.getService(reference);
            if (service == null) {
                return null; // its provider failed to create it; nothing to track
            }
            entries.add(new Entry<>(reference, service));
            LOG.info("{} plugin available: {} from bundle {}", type, describe(service),
                    reference.getBundle().getSymbolicName());
            for (PluginListener l : listeners) {
                notify(l, service, true);
            }
            return service;
        }

        @Override
        public void modifiedService(ServiceReference<T> reference, T service) {
            // The ranking may have changed; the order is computed on each read. Nothing is in use differently.
        }

        @Override
        public void removedService(ServiceReference<T> reference, T service) {
            entries.removeIf(e -> e.reference().equals(reference));
            LOG.info("{} plugin going away: {}", type, describe(service));
            try {
                for (PluginListener l : listeners) {
                    notify(l, service, false);
                }
            } finally {
                context.ungetService(reference);
            }
        }

        private void notify(PluginListener listener, T service, boolean added) {
            try {
                if (added) {
                    listener.pluginAdded(service);
                } else {
                    listener.pluginRemoved(service);
                }
            } catch (RuntimeException e) {
                LOG.error("A plugin listener failed on {}", describe(service), e);
            }
        }

        private String describe(T service) {
            if (service instanceof TransportFactory f) {
                return f.getClass().getName() + " " + f.schemes();
            }
            if (service instanceof ResultBackendFactory f) {
                return f.getClass().getName() + " " + f.schemes();
            }
            if (service instanceof ScheduleStoreFactory f) {
                return f.getClass().getName() + " " + f.schemes();
            }
            if (service instanceof Serializer s) {
                return s.getClass().getName() + " (" + s.name() + ")";
            }
            return String.valueOf(service);
        }
    }

    private record Entry<T>(ServiceReference<T> reference, T service) {
    }
}
