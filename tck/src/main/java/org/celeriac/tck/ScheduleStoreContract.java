package org.celeriac.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.celeriac.spi.beat.ScheduleStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The contract every {@link org.celeriac.spi.beat.ScheduleStore} keeps. A store subclasses this in its tests and
 * says how to open two instances on one namespace, as two beat processes would; every test starts on a fresh
 * namespace. No test asserts how long anything takes: expiry is polled for, with a generous deadline.
 */
@Timeout(120)
public abstract class ScheduleStoreContract {

    /** Short enough that the expiry tests wait little, long enough for a slow store to write it in time. */
    protected static final Duration SHORT_TTL = Duration.ofMillis(300);
    /** A lease that no test outlives. */
    protected static final Duration LONG_TTL = Duration.ofHours(1);
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private final List<ScheduleStore> opened = new ArrayList<>();
    private final ObjectMapper json = new ObjectMapper();
    /** The first beat's store. */
    protected ScheduleStore store;
    /** A second beat's store on the same namespace. */
    protected ScheduleStore other;

    /** Opens a store on a fresh namespace (a new file, schema, key prefix), empty, for one test. */
    protected abstract ScheduleStore openStore();

    /**
     * Opens a second, independent instance on the namespace of the last {@link #openStore()}, as another process
     * would open it: nothing shared with the first but the store itself.
     */
    protected abstract ScheduleStore openSecondStore();

    @BeforeEach
    void openBoth() {
        store = track(openStore());
        other = track(openSecondStore());
    }

    @AfterEach
    void closeAll() {
        for (ScheduleStore s : opened) {
            try {
                s.close();
            } catch (RuntimeException e) {
                // closing is best effort after a test
            }
        }
        opened.clear();
    }

    private ScheduleStore track(ScheduleStore s) {
        opened.add(s);
        return s;
    }

    /** A tick at microsecond precision, which every store keeps. */
    private static Instant tick(String at) {
        return Instant.parse(at).truncatedTo(ChronoUnit.MICROS);
    }

    // ---------------------------------------------------------------- last runs

    @Test
    void freshStoreHasNoRunsEntriesOrLeader() {
        assertThat(store.lastRuns()).isEmpty();
        assertThat(store.entries()).isEmpty();
        assertThat(store.leaseHolder()).isEmpty();
    }

    @Test
    void recordedRunsAreReadBackByEveryBeat() {
        Instant a = tick("2026-11-25T11:41:32.668123Z");
        Instant b = tick("2026-11-25T11:42:00Z");
        store.recordRun("every-minute", a);
        store.recordRun("nightly", b);

        assertThat(store.lastRuns()).isEqualTo(Map.of("every-minute", a, "nightly", b));
        assertThat(other.lastRuns()).isEqualTo(Map.of("every-minute", a, "nightly", b));
    }

    @Test
    void laterTickReplacesTheRecordedOne() {
        store.recordRun("every-minute", tick("2026-11-25T11:41:00Z"));
        other.recordRun("every-minute", tick("2026-11-25T11:42:00Z"));

        assertThat(store.lastRuns()).containsEntry("every-minute", tick("2026-11-25T11:42:00Z"));
    }

    @Test
    void earlierTickIsIgnored() {
        store.recordRun("every-minute", tick("2026-11-25T11:42:00Z"));
        store.recordRun("every-minute", tick("2026-11-25T11:41:00Z"));
        other.recordRun("every-minute", tick("2026-11-25T11:40:00.000001Z"));

        assertThat(store.lastRuns()).containsEntry("every-minute", tick("2026-11-25T11:42:00Z"));
        assertThat(other.lastRuns()).containsEntry("every-minute", tick("2026-11-25T11:42:00Z"));
    }

    @Test
    void forgottenRunIsGoneForEveryBeat() {
        store.recordRun("every-minute", tick("2026-11-25T11:41:00Z"));
        store.recordRun("nightly", tick("2026-11-25T00:00:00Z"));

        other.forgetRun("every-minute");
        other.forgetRun("never-ran");

        assertThat(store.lastRuns()).containsOnlyKeys("nightly");
    }

    @Test
    void concurrentRecordsKeepTheLatestTick() throws Exception {
        Instant base = tick("2026-11-25T11:00:00Z");
        List<Instant> ticks = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            ticks.add(base.plusSeconds(ThreadLocalRandom.current().nextInt(1, 100_000)).plusNanos(1000L * i));
        }
        Instant latest = ticks.stream().max(Instant::compareTo).orElseThrow();

        onBothFromSeveralThreads(4, (s, thread) -> {
            for (int i = thread; i < ticks.size(); i += 4) {
                s.recordRun("raced", ticks.get(i));
            }
        });

        assertThat(store.lastRuns()).containsEntry("raced", latest);
    }

    // ---------------------------------------------------------------- entries

    @Test
    void putEntryIsListedByEveryBeat() throws Exception {
        String definition = "{\"task\":\"demo.add\",\"schedule\":30.0,\"args\":[1,2],\"kwargs\":{\"x\":\"\u00fc\"}}";
        store.putEntry("add-every-30", definition);

        assertThat(other.entries()).containsOnlyKeys("add-every-30");
        assertSameJson(other.entries().get("add-every-30"), definition);
    }

    @Test
    void putEntryReplacesTheOneOfThatName() throws Exception {
        store.putEntry("add", "{\"task\":\"demo.add\",\"schedule\":30.0}");
        store.putEntry("mul", "{\"task\":\"demo.mul\",\"schedule\":60.0}");
        other.putEntry("add", "{\"task\":\"demo.add\",\"schedule\":10.0,\"args\":[2,2]}");

        assertThat(store.entries()).containsOnlyKeys("add", "mul");
        assertSameJson(store.entries().get("add"), "{\"task\":\"demo.add\",\"schedule\":10.0,\"args\":[2,2]}");
        assertSameJson(store.entries().get("mul"), "{\"task\":\"demo.mul\",\"schedule\":60.0}");
    }

    @Test
    void removeEntrySaysWhetherThereWasOne() {
        store.putEntry("add", "{\"task\":\"demo.add\",\"schedule\":30.0}");
        store.putEntry("mul", "{\"task\":\"demo.mul\",\"schedule\":60.0}");

        assertThat(other.removeEntry("add")).isTrue();
        assertThat(store.removeEntry("add")).isFalse();
        assertThat(store.removeEntry("never-added")).isFalse();
        assertThat(store.entries()).containsOnlyKeys("mul");
    }

    @Test
    void entriesPutConcurrentlyByBothBeatsAreAllKept() throws Exception {
        onBothFromSeveralThreads(4, (s, thread) -> {
            for (int i = 0; i < 10; i++) {
                s.putEntry("e-" + thread + "-" + i, "{\"task\":\"demo.t\",\"schedule\":" + i + "}");
            }
        });

        assertThat(store.entries()).hasSize(2 * 4 * 10);
    }

    // ---------------------------------------------------------------- the lease

    @Test
    void firstBeatTakesTheLease() {
        assertThat(store.acquireLease("beat-a", LONG_TTL)).isTrue();

        assertThat(store.leaseHolder()).contains("beat-a");
        assertThat(other.leaseHolder()).contains("beat-a");
    }

    @Test
    void leaseIsExclusiveBetweenBeats() {
        assertThat(store.acquireLease("beat-a", LONG_TTL)).isTrue();

        assertThat(other.acquireLease("beat-b", LONG_TTL)).isFalse();
        assertThat(store.acquireLease("beat-b", LONG_TTL)).isFalse();
        assertThat(other.leaseHolder()).contains("beat-a");
    }

    @Test
    void holderRenewsItsLeaseForTheNewTtl() throws Exception {
        assertThat(store.acquireLease("beat-a", SHORT_TTL)).isTrue();
        assertThat(store.acquireLease("beat-a", LONG_TTL)).isTrue();

        // past the first lease's end: only the renewal keeps it
        Thread.sleep(SHORT_TTL.multipliedBy(3).toMillis());

        assertThat(other.acquireLease("beat-b", LONG_TTL)).isFalse();
        assertThat(other.leaseHolder()).contains("beat-a");
    }

    @Test
    void holderRenewsFromAnyInstance() {
        assertThat(store.acquireLease("beat-a", LONG_TTL)).isTrue();

        assertThat(other.acquireLease("beat-a", LONG_TTL)).isTrue();
        assertThat(store.leaseHolder()).contains("beat-a");
    }

    @Test
    void anotherBeatTakesTheLeaseOnceItExpires() {
        assertThat(store.acquireLease("beat-a", SHORT_TTL)).isTrue();

        assertThat(eventually(() -> other.acquireLease("beat-b", LONG_TTL))).isTrue();
        assertThat(store.leaseHolder()).contains("beat-b");
        assertThat(store.acquireLease("beat-a", LONG_TTL)).isFalse();
    }

    @Test
    void expiredLeaseHasNoHolder() {
        assertThat(store.acquireLease("beat-a", SHORT_TTL)).isTrue();

        assertThat(eventually(() -> other.leaseHolder().isEmpty())).isTrue();
        assertThat(store.leaseHolder()).isEmpty();
    }

    @Test
    void releaseLetsAnotherBeatTakeTheLeaseAtOnce() {
        assertThat(store.acquireLease("beat-a", LONG_TTL)).isTrue();

        store.releaseLease("beat-a");

        assertThat(other.leaseHolder()).isEmpty();
        assertThat(other.acquireLease("beat-b", LONG_TTL)).isTrue();
        assertThat(store.leaseHolder()).contains("beat-b");
    }

    @Test
    void releaseByAnotherBeatLeavesTheLeaseWithItsHolder() {
        assertThat(store.acquireLease("beat-a", LONG_TTL)).isTrue();

        other.releaseLease("beat-b");
        other.releaseLease("beat-b"); // a free-standing release of nothing held does nothing either

        assertThat(other.leaseHolder()).contains("beat-a");
        assertThat(other.acquireLease("beat-b", LONG_TTL)).isFalse();
    }

    @Test
    void releasingAFreeLeaseDoesNothing() {
        store.releaseLease("beat-a");

        assertThat(store.leaseHolder()).isEmpty();
        assertThat(other.acquireLease("beat-b", LONG_TTL)).isTrue();
    }

    /**
     * Rounds of eight beats (four threads on each instance) trying at the same moment: in every round exactly one
     * wins and is the holder everyone reads; it then releases, and the next round starts on a free lease.
     */
    @Test
    void exactlyOneOfSeveralRacingBeatsTakesTheLease() throws Exception {
        int threadsPerStore = 4;
        int rounds = 25;
        CyclicBarrier start = new CyclicBarrier(2 * threadsPerStore);
        CyclicBarrier acquired = new CyclicBarrier(2 * threadsPerStore);
        CyclicBarrier released = new CyclicBarrier(2 * threadsPerStore);
        Map<Integer, List<String>> winners = new ConcurrentHashMap<>();
        Map<Integer, List<Optional<String>>> seen = new ConcurrentHashMap<>();

        onBothFromSeveralThreads(threadsPerStore, (s, thread) -> {
            String holder = "beat-" + thread;
            for (int round = 0; round < rounds; round++) {
                await(start);
                boolean won = s.acquireLease(holder, LONG_TTL);
                if (won) {
                    winners.computeIfAbsent(round, r -> new CopyOnWriteArrayList<>()).add(holder);
                }
                await(acquired);
                seen.computeIfAbsent(round, r -> new CopyOnWriteArrayList<>())
                        .add(s.leaseHolder());
                await(released);
                if (won) {
                    s.releaseLease(holder);
                }
            }
        });

        for (int round = 0; round < rounds; round++) {
            assertThat(winners.get(round)).as("winners of round %d", round).hasSize(1);
            String winner = winners.get(round).get(0);
            assertThat(seen.get(round)).as("holders read in round %d", round)
                    .hasSize(2 * threadsPerStore).containsOnly(Optional.of(winner));
        }
    }

    // ---------------------------------------------------------------- helpers

    private void assertSameJson(String actual, String expected) throws Exception {
        JsonNode a = json.readTree(actual);
        assertThat(a).isEqualTo(json.readTree(expected));
    }

    /** Polls until the condition holds or the deadline passes; says whether it held. */
    private static boolean eventually(BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("a racing thread did not arrive", e);
        }
    }

    private interface Work {
        void run(ScheduleStore store, int thread) throws Exception;
    }

    /** Runs the work on {@code threads} threads per instance, all at once, and rethrows the first failure. */
    private void onBothFromSeveralThreads(int threads, Work work) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2 * threads);
        try {
            List<Future<?>> running = new ArrayList<>();
            Map<ScheduleStore, Integer> offsets = new HashMap<>();
            offsets.put(store, 0);
            offsets.put(other, threads);
            for (ScheduleStore s : List.of(store, other)) {
                for (int t = 0; t < threads; t++) {
                    int thread = offsets.get(s) + t;
                    running.add(pool.submit(() -> {
                        work.run(s, thread);
                        return null;
                    }));
                }
            }
            for (Future<?> f : running) {
                f.get(DEADLINE.toMillis() * 3, TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
