package org.celeriac.transport.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Transport;

/**
 * Several consumers, each on a pool of its own (as separate processes would be), drain one queue that a
 * publisher keeps filling; every message must be received exactly once.
 */
final class ClaimStress {

    private ClaimStress() {
    }

    static void run(String url) throws Exception {
        int consumers = 4;
        int threadsPerConsumer = 2;
        int count = 1_000;
        String queue = "stress-" + UUID.randomUUID();
        List<Transport> transports = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(consumers * threadsPerConsumer + 1);
        try {
            for (int i = 0; i < consumers; i++) {
                transports.add(new SqlTransportFactory().open(url, Map.of("visibility_timeout", "60")));
            }
            Transport publisher = transports.get(0);
            ConcurrentLinkedQueue<String> seen = new ConcurrentLinkedQueue<>();
            AtomicInteger settled = new AtomicInteger();
            List<Future<?>> work = new ArrayList<>();
            work.add(threads.submit(() -> {
                for (int from = 0; from < count; from += 50) {
                    List<Message> batch = new ArrayList<>();
                    for (int i = from; i < from + 50; i++) {
                        batch.add(new Message(("m" + i).getBytes(StandardCharsets.UTF_8), "text/plain", "utf-8",
                                Map.of("id", "m" + i), Map.of("priority", i % 3)));
                    }
                    publisher.publishAll(queue, batch);
                }
                return null;
            }));
            for (int i = 0; i < consumers * threadsPerConsumer; i++) {
                Transport t = transports.get(i % consumers);
                work.add(threads.submit(() -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(45);
                    while (settled.get() < count && System.nanoTime() < deadline) {
                        for (Delivery d : t.receive(List.of(queue), 10, Duration.ofMillis(200))) {
                            seen.add(new String(d.message().body(), StandardCharsets.UTF_8));
                            t.ack(d);
                            settled.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
            assertThat(seen).hasSize(count);
            assertThat(new HashSet<>(seen)).hasSize(count);
            assertThat(publisher.size(queue)).isZero();
        } finally {
            threads.shutdownNow();
            transports.forEach(Transport::close);
        }
    }
}
