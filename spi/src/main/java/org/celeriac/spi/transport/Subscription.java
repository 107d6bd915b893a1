package org.celeriac.spi.transport;

import org.osgi.annotation.versioning.ConsumerType;

/** A live subscription to a broadcast exchange; closing it stops the deliveries. */
@ConsumerType
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
