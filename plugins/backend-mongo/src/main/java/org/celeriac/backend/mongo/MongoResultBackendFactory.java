package org.celeriac.backend.mongo;

import java.util.Map;
import java.util.Set;

import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.ResultBackendFactory;
import org.osgi.service.component.annotations.Component;

/**
 * Opens {@link MongoResultBackend}s for {@code mongodb:} and {@code mongodb+srv:} URLs ({@link MongoSettings}). Each
 * has its own driver client and connection pool; opening does not wait for a server.
 *
 * <p>Found through {@code META-INF/services} on a class path, and as a Declarative Services component in OSGi.
 */
@Component(service = ResultBackendFactory.class)
public final class MongoResultBackendFactory implements ResultBackendFactory {

    @Override
    public Set<String> schemes() {
        return Set.of("mongodb", "mongodb+srv");
    }

    @Override
    public ResultBackend open(String url, Map<String, String> options) {
        return new MongoResultBackend(MongoSettings.parse(url, options));
    }
}
