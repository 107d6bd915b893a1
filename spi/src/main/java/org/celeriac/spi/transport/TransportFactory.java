package org.celeriac.spi.transport;

import java.util.Map;
import java.util.Set;

import org.osgi.annotation.versioning.ConsumerType;

/** Opens transports for the broker URLs whose scheme it names ({@code redis}, {@code amqp}, {@code sql}, ...). */
@ConsumerType
public interface TransportFactory {

    /** URL schemes this factory serves, lower case, without the colon. */
    Set<String> schemes();

    /**
     * Opens a transport.
     *
     * @param url     the broker URL; options may come as query parameters
     * @param options transport options from settings ({@code visibility_timeout}, ...); the URL's win
     */
    Transport open(String url, Map<String, String> options);
}
