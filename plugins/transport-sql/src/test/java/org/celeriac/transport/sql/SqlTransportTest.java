package org.celeriac.transport.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.celeriac.spi.transport.Delivery;
import org.celeriac.spi.transport.Message;
import org.celeriac.spi.transport.Subscription;
import org.celeriac.spi.transport.Transport;
import org.celeriac.spi.transport.TransportException;
import org.celeriac.spi.transport.TransportFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the SQL transport does beyond the contract: sharing, durability and the embedded H2 server. */
@Timeout(90)
class SqlTransportTest {

    @TempDir
    Path dir;

    private String url() {
        return "sql:file:" + dir.resolve("broker");
    }

    private static Message message(String body, Map<String, Object> headers) {
        return new Message(body.getBytes(StandardCharsets.UTF_8), "application/json", "utf-8", headers, Map.of());
    }

    private static String body(Delivery d) {
        return new String(d.message().body(), StandardCharsets.UTF_8);
    }

    @Test
    void isFoundByServiceLoaderForSqlAndJdbcUrls() {
        List<TransportFactory> found = new ArrayList<>();
        ServiceLoader.load(TransportFactory.class).forEach(found::add);

        assertThat(found).hasAtLeastOneElementOfType(SqlTransportFactory.class);
        assertThat(new SqlTransportFactory().schemes()).containsExactlyInAnyOrder("sql", "jdbc");
    }

    @Test
    void transportsOfSeparateFactoriesShareOneH2FileDatabase() throws Exception {
        try (Transport a = new SqlTransportFactory().open(url(), Map.of());
                Transport b = new SqlTransportFactory().open("jdbc:h2:file:" + dir.resolve("broker") + ";AUTO_SERVER=TRUE", Map.of())) {
            a.publish("q", message("from a", Map.of("big", 12345678901L, "small", 5)));

            List<Delivery> got = b.receive(List.of("q"), 10, Duration.ofSeconds(5));

            assertThat(got).extracting(SqlTransportTest::body).containsExactly("from a");
            assertThat(got.get(0).message().headers()).containsEntry("big", 12345678901L).containsEntry("small", 5);
            assertThat(a.size("q")).isZero();
            b.ack(got.get(0));
            assertThat(a.receive(List.of("q"), 1, Duration.ofMillis(100))).isEmpty();
        }
    }

    @Test
    void messagesSurviveClosingAndReopeningTheDatabase() throws Exception {
        try (Transport t = new SqlTransportFactory().open(url(), Map.of())) {
            t.publish("durable", message("kept", Map.of()));
        }
        // every pool on the file is closed now, and H2 with it
        assertThat(dir.resolve("broker.lock.db")).doesNotExist();

        try (Transport t = new SqlTransportFactory().open(url(), Map.of())) {
            List<Delivery> got = t.receive(List.of("durable"), 1, Duration.ofSeconds(5));
            assertThat(got).extracting(SqlTransportTest::body).containsExactly("kept");
            t.ack(got.get(0));
        }
    }

    @Test
    void anotherProcessReachesTheDatabaseThroughTheEmbeddedServer() throws Exception {
        try (Transport t = new SqlTransportFactory().open(url(), Map.of())) {
            t.declare("shared");
            // this JVM holds the file, so the child must go through the server named in the lock file
            String lock = Files.readString(dir.resolve("broker.lock.db"), StandardCharsets.ISO_8859_1);
            assertThat(lock).containsPattern("server=(localhost|127\\.0\\.0\\.1)\\\\?:\\d+");

            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            Path log = dir.resolve("child.log");
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", classPath, PublishFromAnotherProcess.class.getName(), url(), "shared", "3")
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            boolean exited = child.waitFor(60, TimeUnit.SECONDS);
            if (!exited) {
                child.destroyForcibly();
            }
            assertThat(exited).as("child exited").isTrue();
            assertThat(child.exitValue()).as(Files.readString(log)).isZero();

            List<Delivery> got = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (got.size() < 3 && System.nanoTime() < deadline) {
                got.addAll(t.receive(List.of("shared"), 3, Duration.ofMillis(500)));
            }
            assertThat(got).extracting(SqlTransportTest::body).containsExactly("child-0", "child-1", "child-2");
            assertThat(got.get(0).message().headers().get("pid")).isNotEqualTo(ProcessHandle.current().pid());
        }
    }

    @Test
    void rejectOfAnExpiredDeliveryLeavesTheNewerClaimAlone() throws Exception {
        Map<String, String> shortLease = Map.of("visibility_timeout", "1");
        try (Transport slow = new SqlTransportFactory().open(url(), shortLease);
                Transport other = new SqlTransportFactory().open(url(), shortLease)) {
            slow.publish("q", message("m", Map.of()));
            Delivery stale = slow.receive(List.of("q"), 1, Duration.ofSeconds(5)).get(0);
            List<Delivery> reclaimed = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (reclaimed.isEmpty() && System.nanoTime() < deadline) {
                reclaimed.addAll(other.receive(List.of("q"), 1, Duration.ofMillis(500)));
            }
            assertThat(reclaimed).hasSize(1);
            assertThat(reclaimed.get(0).redelivered()).isTrue();

            slow.reject(stale, true);

            assertThat(other.size("q")).isZero();
            other.ack(reclaimed.get(0));
        }
    }

    @Test
    void consumersOnSeparatePoolsClaimEveryMessageExactlyOnce() throws Exception {
        ClaimStress.run(url());
    }

    @Test
    void broadcastFromAnotherPoolArrivesByPolling() throws Exception {
        try (Transport listener = new SqlTransportFactory().open(url(), Map.of());
                Transport sender = new SqlTransportFactory().open(url(), Map.of())) {
            List<String> got = Collections.synchronizedList(new ArrayList<>());
            Subscription s = listener.subscribe("control", m -> got.add(new String(m.body(), StandardCharsets.UTF_8)));
            sender.broadcast("other-exchange", message("not for us", Map.of()));
            sender.broadcast("control", message("ping", Map.of()));

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (got.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            s.close();
            sender.broadcast("control", message("after close", Map.of()));
            Thread.sleep(300);

            assertThat(got).containsExactly("ping");
        }
    }

    @Test
    void closedTransportRefusesWorkAndStopsItsPoller() throws Exception {
        Transport t = new SqlTransportFactory().open(url(), Map.of());
        Set<Thread> before = pollerThreads();
        t.subscribe("x", m -> { });
        Set<Thread> started = pollerThreads();
        started.removeAll(before);
        assertThat(started).hasSize(1);

        t.close();
        t.close();

        assertThat(started.iterator().next().isAlive()).isFalse();
        assertThatThrownBy(() -> t.publish("q", message("late", Map.of()))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> t.receive(List.of("q"), 1, Duration.ofMillis(50))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void closeLetsThePollerFinishItsPollUninterruptedAndTheDatabaseStaysUsable() throws Exception {
        Transport t = new SqlTransportFactory().open(url(), Map.of());
        CountDownLatch polling = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        t.subscribe("control", m -> {
            polling.countDown();
            try {
                Thread.sleep(300); // the poller busy, as in the middle of a query, while close() runs
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
            interrupted.compareAndSet(false, Thread.currentThread().isInterrupted());
        });
        t.broadcast("control", message("hold", Map.of()));
        assertThat(polling.await(10, TimeUnit.SECONDS)).isTrue();

        t.close();

        assertThat(interrupted).as("the poller was interrupted (in H2's file I/O that breaks the database)").isFalse();
        try (Transport again = new SqlTransportFactory().open(url(), Map.of())) {
            again.publish("q", message("after close", Map.of()));
            assertThat(again.receive(List.of("q"), 1, Duration.ofSeconds(5))).extracting(SqlTransportTest::body)
                    .containsExactly("after close");
        }
    }

    @Test
    void sendsAreRefusedWhileTheDiskHasLessFreeThanTheReserveKeptForWorkers() throws Exception {
        // a reserve no disk here has free: every send is refused, with the reason, and nothing is written
        try (Transport t = new SqlTransportFactory().open(url() + "?disk_reserve=1000000000", Map.of())) {
            assertThatThrownBy(() -> t.publish("q", message("too much", Map.of())))
                    .isInstanceOf(TransportException.class)
                    .hasMessageContaining("Not sending: the disk holding " + dir)
                    .hasMessageContaining("kept for workers to finish their tasks (disk_reserve)");
            assertThat(t.size("q")).isZero();
        }
        try (Transport t = new SqlTransportFactory().open(url() + "?disk_reserve=1", Map.of())) {
            t.publish("q", message("fits", Map.of()));
            assertThat(t.size("q")).isEqualTo(1);
        }
    }

    private static Set<Thread> pollerThreads() {
        Set<Thread> found = new HashSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            if (thread.getName().startsWith("celeriac-sql-broadcast-") && thread.isAlive()) {
                found.add(thread);
            }
        }
        return found;
    }
}
