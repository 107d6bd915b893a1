package org.celeriac.transport.redis;

import java.util.Map;
import java.util.Set;

import org.celeriac.redis.RedisUrl;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportFactory;
import org.osgi.service.component.annotations.Component;

/**
 * Opens {@link RedisTransport}s for {@code redis://[[user]:password@]host[:port][/db][?options]} and {@code rediss://}
 * (TLS: redis-py's {@code ssl_*} options, see {@link org.celeriac.redis.RedisTls}) URLs. Options, from the URL's query
 * or the options map (the URL wins):
 * <ul>
 * <li>{@code visibility_timeout} (seconds, default 3600 as in kombu): how long a received message stays in
 *     kombu's {@code unacked} hash, unless renewed, before any consumer (Celeriac or Celery) puts it back;</li>
 * <li>{@code socket_timeout}, {@code socket_connect_timeout} (seconds; defaults 10 and 5). A blocking pop or a
 *     subscription that hears nothing for 1 s plus the socket timeout gives its connection up as gone silent (a
 *     network partition) and reconnects;</li>
 * <li>{@code max_connections} (default 64): the pool size; each receiving thread holds one connection while it
 *     waits, so size it above the worker's consumer threads.</li>
 * </ul>
 *
 * <p>Found through {@code META-INF/services} on a class path, and as a Declarative Services component in OSGi.
 */
@Component(service = TransportFactory.class)
public final class RedisTransportFactory implements TransportFactory {

    @Override
    public Set<String> schemes() {
        return Set.of("redis", "rediss");
    }

    @Override
    public Transport open(String url, Map<String, String> options) {
        return new RedisTransport(RedisUrl.parse(url, options, RedisTransport.DEFAULT_MAX_CONNECTIONS));
    }
}
