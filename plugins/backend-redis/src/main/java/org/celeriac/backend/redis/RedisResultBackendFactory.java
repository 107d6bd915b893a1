package org.celeriac.backend.redis;

import java.util.Map;
import java.util.Set;

import org.celeriac.redis.RedisUrl;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.ResultBackendFactory;
import org.osgi.service.component.annotations.Component;

/**
 * Opens {@link RedisResultBackend}s for {@code redis:} and {@code rediss:} URLs (forms in {@link RedisUrl}).
 * Each opened backend has its own connection pool, and one subscriber connection once it is awaited on.
 *
 * <p>Found through {@code META-INF/services} on a class path, and as a Declarative Services component in OSGi.
 */
@Component(service = ResultBackendFactory.class)
public final class RedisResultBackendFactory implements ResultBackendFactory {

    @Override
    public Set<String> schemes() {
        return Set.of("redis", "rediss");
    }

    @Override
    public ResultBackend open(String url, Map<String, String> options) {
        return new RedisResultBackend(RedisUrl.parse(url, options, RedisResultBackend.DEFAULT_MAX_CONNECTIONS));
    }
}
