package org.celeriac.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import org.celeriac.spi.events.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The live feed without HTTP: its pushes made by hand, its clients' frames collected. */
class LiveFeedTest {
    private final ClusterState state = new ClusterState(1000);
    private final LiveFeed feed = new LiveFeed(state, Duration.ofHours(1), Duration.ofHours(1), 2);
    private final ObjectMapper json = new ObjectMapper();

    LiveFeedTest() {
        state.listen(feed);
    }

    @AfterEach
    void close() {
        feed.close();
    }

    /** A client whose frames land in a queue. */
    private static final class Collector implements LiveFeed.Sink {
        final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        volatile boolean closed;

        @Override
        public void send(String frame) {
            frames.add(frame);
        }

        @Override
        public void close() {
            closed = true;
        }

        String next() throws InterruptedException {
            String f = frames.poll(10, TimeUnit.SECONDS);
            assertThat(f).as("a frame").isNotNull();
            return f;
        }
    }

    private void event(String type, Object... fields) {
        Map<String, Object> f = new LinkedHashMap<>();
        for (int i = 0; i < fields.length; i += 2) {
            f.put((String) fields[i], fields[i + 1]);
        }
        state.apply(new Event(type, f));
    }

    private Map<String, Map<String, Object>> data(String frame, String event) throws IOException {
        assertThat(frame).startsWith("event: " + event + "\ndata: ").endsWith("\n\n");
        String data = frame.substring(frame.indexOf("data: ") + 6, frame.indexOf("\n\n", frame.indexOf("data: ")));
        return json.readValue(data, new TypeReference<>() { });
    }

    @Test
    void aNewClientFirstGetsTheWorkersAsTheyAre() throws Exception {
        event("worker-heartbeat", "hostname", "w1", "freq", 2.0, "active", 1);
        Collector c = new Collector();
        feed.connect(c);

        String first = c.next();
        assertThat(first).startsWith("retry: ");
        assertThat(data(first.substring(first.indexOf("event: ")), "workers")).containsKey("w1");
    }

    @Test
    void manyEventsBetweenTwoPushesArriveAsOneFrameWithEachTaskOnce() throws Exception {
        Collector c = new Collector();
        feed.connect(c);
        c.next();
        for (int i = 0; i < 50; i++) {
            event("task-received", "uuid", "t" + i, "name", "demo.add", "hostname", "w1");
            event("task-started", "uuid", "t" + i, "hostname", "w1");
            event("task-succeeded", "uuid", "t" + i, "hostname", "w1", "result", "3", "runtime", 0.1);
        }

        feed.push();
        String frame = c.next();
        Map<String, Map<String, Object>> tasks = data(frame, "tasks");
        assertThat(tasks).hasSize(50);
        assertThat(tasks.get("t7")).containsEntry("state", "SUCCESS").containsEntry("name", "demo.add");
        assertThat(frame).as("task events alone push no workers").doesNotContain("event: workers");

        feed.push();
        assertThat(c.frames.poll(200, TimeUnit.MILLISECONDS)).as("nothing changed since").isNull();
    }

    @Test
    void moreChangedTasksThanAPushCarriesAskForAResync() throws Exception {
        Collector c = new Collector();
        feed.connect(c);
        c.next();
        for (int i = 0; i < LiveFeed.MAX_TASKS + 10; i++) {
            event("task-received", "uuid", "t" + i, "name", "demo.add", "hostname", "w1");
        }

        feed.push();
        String frame = c.next();
        assertThat(data(frame.substring(0, frame.indexOf("\n\n") + 2), "tasks")).hasSize(LiveFeed.MAX_TASKS);
        assertThat(frame).contains(LiveFeed.RESYNC);
    }

    @Test
    void workerEventsPushEveryWorker() throws Exception {
        Collector c = new Collector();
        feed.connect(c);
        c.next();
        event("worker-online", "hostname", "w1", "freq", 2.0);
        event("worker-heartbeat", "hostname", "w2", "freq", 2.0);

        feed.push();
        assertThat(data(c.next(), "workers")).containsOnlyKeys("w1", "w2");
    }

    @Test
    void aClientThatFallsBehindGetsOneResyncInsteadOfItsBacklog() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<String> got = new ArrayList<>();
        CountDownLatch last = new CountDownLatch(1);
        feed.connect(new LiveFeed.Sink() {
            @Override
            public void send(String frame) throws IOException {
                try {
                    release.await(); // a browser that does not read
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                synchronized (got) {
                    got.add(frame);
                }
                if (frame.contains("\"t39\"")) {
                    last.countDown();
                }
            }

            @Override
            public void close() {
            }
        });
        for (int i = 0; i < 40; i++) {
            event("task-received", "uuid", "t" + i, "name", "demo.add", "hostname", "w1");
            feed.push();
        }
        release.countDown();

        assertThat(last.await(10, TimeUnit.SECONDS)).as("the last push arrives").isTrue();
        synchronized (got) {
            assertThat(got).contains(LiveFeed.RESYNC).hasSizeLessThan(40);
        }
    }

    @Test
    void aClosedConnectionIsFreedAndTheBoundRefusesMore() throws Exception {
        Collector open = new Collector();
        feed.connect(open);
        LiveFeed.Sink gone = new LiveFeed.Sink() {
            @Override
            public void send(String frame) throws IOException {
                throw new IOException("Broken pipe"); // the tab was closed
            }

            @Override
            public void close() {
            }
        };
        feed.connect(gone);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (feed.clients() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(feed.clients()).isEqualTo(1);

        feed.connect(new Collector());
        assertThatThrownBy(() -> feed.connect(new Collector())).isInstanceOf(RejectedExecutionException.class);
        assertThat(feed.clients()).isEqualTo(2);
    }
}
