package org.celeriac.backend.redis;

import java.util.Map;
import java.util.Set;

import org.celeriac.redis.RedisUrl;
import org.celeriac.spi.beat.ScheduleStore;
import org.celeriac.spi.beat.ScheduleStoreFactory;
import org.osgi.service.component.annotations.Component;

/**
 * Opens {@link RedisScheduleStore}s for {@code redis:} and {@code rediss:} URLs (forms in {@link RedisUrl}), so beat
 * can share the broker's Redis. Besides the connection options it reads {@code beat_key_prefix}, the prefix of its
 * keys ({@code celeriac.beat.} by default), for several beat clusters on one database. Each store has its own
 * connection pool.
 *
 * <p>Found through {@code META-INF/services} on a class path, and as a Declarative Services component in OSGi.
 */
@Component(service = ScheduleStoreFactory.class)
public final class RedisScheduleStoreFactory implements ScheduleStoreFactory {

    static final String KEY_PREFIX_OPTION = "beat_key_prefix";

    @Override
    public Set<String> schemes() {
        return Set.of("redis", "rediss");
    }

    @Override
    public ScheduleStore open(String url, Map<String, String> options) {
        RedisUrl endpoint = RedisUrl.parse(url, options, RedisScheduleStore.DEFAULT_MAX_CONNECTIONS);
        String prefix = endpoint.options().get(KEY_PREFIX_OPTION);
        return new RedisScheduleStore(endpoint, prefix == null || prefix.isEmpty() ? RedisScheduleStore.DEFAULT_PREFIX
                : prefix);
    }
}
