package org.celeriac.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.celeriac.spi.events.Event;
import org.celeriac.spi.events.EventSink;
import org.junit.jupiter.api.Test;

class EventDispatcherTest {

    private final List<Event> got = new CopyOnWriteArrayList<>();
    private final EventSink collecting = got::add;

    private void awaitSize(int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (got.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void stampsEventsAsCelerysDispatcher() throws Exception {
        try (EventDispatcher d = new EventDispatcher("w1@host", new LamportClock(), true)) {
            d.addSink(collecting);
            d.send("task-succeeded", Map.of("uuid", "id-1", "runtime", 0.5));
            d.send("task-failed", Map.of("uuid", "id-2"));
            awaitSize(2);
        }

        Map<String, Object> f = got.get(0).fields();
        assertThat(got.get(0).type()).isEqualTo("task-succeeded");
        assertThat(f).containsEntry("hostname", "w1@host").containsEntry("pid", ProcessHandle.current().pid())
                .containsEntry("uuid", "id-1").containsEntry("runtime", 0.5).containsEntry("type", "task-succeeded")
                .containsKeys("utcoffset", "timestamp", "clock");
        assertThat((Long) got.get(1).fields().get("clock")).isGreaterThan((Long) f.get("clock"));
    }

    @Test
    void taskEventsAreOffUntilEnabledWorkerEventsAlwaysGo() throws Exception {
        try (EventDispatcher d = new EventDispatcher("w1@host", new LamportClock(), false)) {
            d.addSink(collecting);
            d.send("task-received", Map.of("uuid", "id-1"));
            d.send("worker-heartbeat", Map.of());
            assertThat(d.taskEvents(true)).isTrue();
            assertThat(d.taskEvents(true)).isFalse();
            d.send("task-received", Map.of("uuid", "id-2"));
            awaitSize(2);
        }

        assertThat(got).extracting(Event::type).containsExactly("worker-heartbeat", "task-received");
        assertThat(got.get(1).fields()).containsEntry("uuid", "id-2");
    }

    @Test
    void aStuckSinkNeitherBlocksTheSenderNorTheOtherSinks() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        EventSink stuck = e -> {
            try {
                release.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        };
        try (EventDispatcher d = new EventDispatcher("w1@host", new LamportClock(), true, 100)) {
            d.addSink(stuck);
            d.addSink(collecting);
            for (int i = 0; i < 150; i++) {
                d.send("task-received", Map.of("uuid", "id-" + i));
                Thread.sleep(1);
            }
            awaitSize(150);
            assertThat(d.dropped()).isPositive(); // the stuck sink's, past its 100
            release.countDown();
        }

        assertThat(got).hasSize(150);
    }

    @Test
    void clockMovesPastWhatItHears() {
        LamportClock c = new LamportClock();
        c.forward();
        assertThat(c.adjust(41)).isEqualTo(42);
        assertThat(c.adjust(3)).isEqualTo(43);
        assertThat(c.forward()).isEqualTo(44);
    }
}
