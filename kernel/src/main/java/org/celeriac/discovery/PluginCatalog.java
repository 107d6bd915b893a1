package org.celeriac.discovery;

import java.util.List;
import java.util.Locale;

import org.celeriac.spi.backend.ResultBackendFactory;
import org.celeriac.spi.beat.ScheduleStoreFactory;
import org.celeriac.spi.events.EventSink;
import org.celeriac.spi.serializer.Serializer;
import org.celeriac.spi.transport.TransportFactory;

/** The plugins the kernel can use right now. Implementations may change their answers as plugins come and go. */
public interface PluginCatalog {

    List<TransportFactory> transports();

    List<ResultBackendFactory> backends();

    List<Serializer> serializers();

    /** Event sinks that task packages or the host registered: each worker hands them its events. */
    default List<EventSink> eventSinks() {
        return List.of();
    }

    /** Where beats keep their schedule: the embedded file store and those of plugins. */
    default List<ScheduleStoreFactory> scheduleStores() {
        return List.of();
    }

    /** The transport factory for a broker URL, chosen by its scheme. */
    default TransportFactory transportFor(String url) {
        String scheme = schemeOf(url);
        return transports().stream().filter(f -> f.schemes().contains(scheme)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no transport plugin for '" + scheme + ":' URLs ("
                        + url + "); installed: " + transports().stream().flatMap(f -> f.schemes().stream()).sorted().toList()));
    }

    /** The result backend factory for a URL, chosen by its scheme. */
    default ResultBackendFactory backendFor(String url) {
        String scheme = schemeOf(url);
        return backends().stream().filter(f -> f.schemes().contains(scheme)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no result backend plugin for '" + scheme + ":' URLs ("
                        + url + "); installed: " + backends().stream().flatMap(f -> f.schemes().stream()).sorted().toList()));
    }

    /** The schedule store factory for a beat schedule store URL, chosen by its scheme. */
    default ScheduleStoreFactory scheduleStoreFor(String url) {
        String scheme = schemeOf(url);
        return scheduleStores().stream().filter(f -> f.schemes().contains(scheme)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no schedule store plugin for '" + scheme + ":' URLs ("
                        + url + "); installed: "
                        + scheduleStores().stream().flatMap(f -> f.schemes().stream()).sorted().toList()));
    }

    /** The serializer for a short name ({@code json}) or content type ({@code application/json}). */
    default Serializer serializer(String nameOrContentType) {
        return serializers().stream()
                .filter(s -> s.name().equals(nameOrContentType) || s.contentType().equals(nameOrContentType))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no serializer '" + nameOrContentType + "'"));
    }

    /** {@code redis} of {@code redis://host}, lower case. */
    static String schemeOf(String url) {
        int colon = url.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("not a URL (no scheme): " + url);
        }
        return url.substring(0, colon).toLowerCase(Locale.ROOT);
    }
}
