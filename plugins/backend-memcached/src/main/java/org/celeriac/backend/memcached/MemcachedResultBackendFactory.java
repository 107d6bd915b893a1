package org.celeriac.backend.memcached;

import java.util.Map;
import java.util.Set;

import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.ResultBackendFactory;
import org.osgi.service.component.annotations.Component;

/**
 * Opens {@link MemcachedResultBackend}s for Celery's cache backend URLs on Memcached,
 * {@code cache+memcached://host:port;host2:port/} ({@link MemcachedUrl}). Opening connects to nothing: each server is
 * reached when a key on it is first used, and an unreachable one is named in the error.
 *
 * <p>Found through {@code META-INF/services} on a class path, and as a Declarative Services component in OSGi.
 */
@Component(service = ResultBackendFactory.class)
public final class MemcachedResultBackendFactory implements ResultBackendFactory {

    @Override
    public Set<String> schemes() {
        return MemcachedUrl.SCHEMES;
    }

    @Override
    public ResultBackend open(String url, Map<String, String> options) {
        return new MemcachedResultBackend(MemcachedUrl.parse(url, options));
    }
}
