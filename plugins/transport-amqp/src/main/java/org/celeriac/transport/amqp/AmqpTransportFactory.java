package org.celeriac.transport.amqp;

import java.util.Map;
import java.util.Set;

import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportFactory;
import org.osgi.service.component.annotations.Component;

/**
 * Opens {@link AmqpTransport}s for {@code amqp://[user[:password]@]host[:port][/vhost][?options]}, {@code amqps://}
 * (TLS, the JVM's trust store, host name verified) and {@code pyamqp://} (Celery's name for {@code amqp://}) URLs.
 * The virtual host defaults to {@code /}; {@code amqp://host//} names it explicitly, as in Celery. Options, from the
 * URL's query or the options map (the URL wins):
 * <ul>
 * <li>{@code heartbeat} (seconds; default: the server's proposal), {@code connection_timeout} (seconds, default 10);</li>
 * <li>{@code confirm_timeout} (seconds, default 30): how long a publish waits for the broker's confirm;</li>
 * <li>{@code queue_max_priority} (0..255, default none, as Celery's {@code task_queue_max_priority}): declares queues
 *     with {@code x-max-priority}. A queue's arguments cannot change once declared: it must match what Celery
 *     declares for the same queue.</li>
 * <li>{@code ssl_ca_certs} (a PEM file): for {@code amqps://}, the CA certificates to trust instead of the JVM's trust
 *     store, as kombu's {@code ssl_ca_certs}. The server's certificate must name the URL's host either way.</li>
 * <li>{@code consumer_timeout} (seconds, default 1800): the broker's own {@code consumer_timeout}. RabbitMQ closes
 *     the channel of a consumer holding a delivery unacked for longer (celery#6760), so a task waiting for its ETA is
 *     handed back to its queue as a fresh copy after half of it. 0 when the broker's is off.</li>
 * </ul>
 *
 * <p>Found through {@code META-INF/services} on a class path, and as a Declarative Services component in OSGi.
 */
@Component(service = TransportFactory.class)
public final class AmqpTransportFactory implements TransportFactory {

    @Override
    public Set<String> schemes() {
        return Set.of("amqp", "amqps", "pyamqp");
    }

    @Override
    public Transport open(String url, Map<String, String> options) {
        return new AmqpTransport(AmqpUrl.parse(url, options));
    }
}
