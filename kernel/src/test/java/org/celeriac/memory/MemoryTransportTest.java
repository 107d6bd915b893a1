package org.celeriac.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;
import org.celeriac.tck.TransportContract;
import org.junit.jupiter.api.Test;

class MemoryTransportTest extends TransportContract {
    private final MemoryTransportFactory factory = new MemoryTransportFactory();

    @Override
    protected Transport openTransport() {
        return factory.open("memory://tck", java.util.Map.of());
    }

    /** No leases: a crashed consumer's messages come back at once. */
    @Override
    protected Duration redeliveryWait() {
        return Duration.ofMillis(500);
    }

    /** In one process, a consumer's death is its connection closing. */
    @Override
    protected void crash(Transport t) {
        t.close();
    }

    @Test
    void messageTakenByAReceiveThatItsCloseCutShortComesBackNotMarkedRedelivered() throws Exception {
        Transport closing = open();
        closing.declare(queue);
        CompletableFuture<List<Delivery>> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return closing.receive(List.of(queue), 1, Duration.ofSeconds(30));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(200); // the receive is waiting
        closing.close();

        transport.publish(queue, message("never given out"));

        assertThatThrownBy(() -> waiting.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(TransportException.class);
        List<Delivery> got = receive(transport, queue, 1);
        assertThat(got).extracting(TransportContract::body).containsExactly("never given out");
        assertThat(got.get(0).redelivered()).as("no one was given it before").isFalse();
    }
}
