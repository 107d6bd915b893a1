package org.celeriac.memory;

import org.celeriac.spi.transport.Transport;
import org.celeriac.tck.TransportContract;

class MemoryTransportTest extends TransportContract {
    private final MemoryTransportFactory factory = new MemoryTransportFactory();

    @Override
    protected Transport openTransport() {
        return factory.open("memory://tck", java.util.Map.of());
    }

    /** No leases: a crashed consumer's messages come back at once. */
    @Override
    protected java.time.Duration redeliveryWait() {
        return java.time.Duration.ofMillis(500);
    }

    /** In one process, a consumer's death is its connection closing. */
    @Override
    protected void crash(Transport t) {
        t.close();
    }
}
