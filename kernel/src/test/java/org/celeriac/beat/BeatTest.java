package org.celeriac.beat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import org.celeriac.memory.MemoryScheduleStoreFactory;
import org.celeriac.spi.beat.ScheduleStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The beat loop, one look at a time, on a clock the test moves and an in-memory store. */
class BeatTest {
    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final Instant T = Instant.parse("2027-01-04T09:00:00Z");

    private final MemoryScheduleStoreFactory stores = new MemoryScheduleStoreFactory();
    private final String url = "memory://" + UUID.randomUUID();
    private final ScheduleStore store = stores.open(url, Map.of());
    private final MovableClock clock = new MovableClock(T);
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private final List<Beat> beats = new ArrayList<>();

    @AfterEach
    void close() {
        beats.forEach(Beat::close);
    }

    private Beat beat(String holder, BeatSettings settings, BeatSender sender, BeatEntry... entries) {
        Beat b = new Beat(stores.open(url, Map.of()), sender, settings, clock);
        b.entries("test", List.of(entries));
        beats.add(b);
        return b;
    }

    private Beat beat(String holder, BeatEntry... entries) {
        return beat(holder, BeatSettings.defaults(holder), recording(holder), entries);
    }

    private BeatSender recording(String holder) {
        return e -> {
            sent.add(holder + ":" + e.name() + "@" + clock.instant());
            return UUID.randomUUID().toString();
        };
    }

    private static BeatEntry every(String name, double seconds) {
        return BeatEntry.fromDefinition(name, Map.of("task", "demo.add", "schedule", seconds, "args", List.of(1, 2)),
                UTC);
    }

    @Test
    void aNewEntryFirstRunsOneIntervalAfterItIsSeenAndEachTickOnce() {
        Beat b = beat("b1", every("tick", 10));

        b.runOnce();
        assertThat(sent).isEmpty();
        clock.advance(Duration.ofSeconds(10));
        b.runOnce();
        b.runOnce();

        assertThat(sent).containsExactly("b1:tick@" + T.plusSeconds(10));
        assertThat(store.lastRuns()).containsEntry("tick", T.plusSeconds(10));
    }

    @Test
    void ticksKeepToTheScheduleHoweverLateEachSendIs() {
        Beat b = beat("b1", every("tick", 1));
        b.runOnce();
        for (int i = 0; i < 60; i++) {
            clock.advance(Duration.ofMillis(1003)); // each look a little late: the ticks must not drift
            b.runOnce();
        }

        assertThat(sent).hasSize(60);
        assertThat(store.lastRuns().get("tick")).isEqualTo(T.plusSeconds(60));
    }

    @Test
    void ticksMissedWhileNoBeatRanAreSentOnceByDefault() {
        store.recordRun("hourly", T);
        Beat b = beat("b1", every("hourly", 3600));
        clock.advance(Duration.ofHours(5).plusMinutes(30));

        b.runOnce();
        b.runOnce();

        assertThat(sent).hasSize(1);
        assertThat(store.lastRuns().get("hourly")).isEqualTo(T.plus(Duration.ofHours(5)));
    }

    @Test
    void theSkipPolicySendsNoneOfTheMissedTicksAndResumesWithTheNext() {
        store.recordRun("hourly", T);
        Beat b = beat("b1", BeatSettings.defaults("b1").withMissedRun(MissedRun.SKIP), recording("b1"),
                every("hourly", 3600));
        clock.advance(Duration.ofHours(5).plusMinutes(30));

        b.runOnce();
        assertThat(sent).isEmpty();
        clock.advance(Duration.ofMinutes(30));
        b.runOnce();

        assertThat(sent).containsExactly("b1:hourly@" + T.plus(Duration.ofHours(6)));
    }

    @Test
    void aTickOnlyJustLateIsSentUnderTheSkipPolicyToo() {
        store.recordRun("tick", T);
        Beat b = beat("b1", BeatSettings.defaults("b1").withMissedRun(MissedRun.SKIP), recording("b1"),
                every("tick", 1));
        clock.advance(Duration.ofSeconds(4)); // a takeover's worth: three ticks passed, the last one current

        b.runOnce();

        assertThat(sent).hasSize(1);
        assertThat(store.lastRuns().get("tick")).isEqualTo(T.plusSeconds(4));
    }

    @Test
    void onlyTheHolderOfTheLeaseSends() {
        Beat a = beat("a", every("tick", 1));
        Beat b = beat("b", every("tick", 1));
        a.runOnce();
        b.runOnce();
        for (int i = 0; i < 20; i++) {
            clock.advance(Duration.ofSeconds(1));
            a.runOnce();
            b.runOnce();
        }

        assertThat(a.leading()).isTrue();
        assertThat(b.leading()).isFalse();
        assertThat(sent).hasSize(20).allMatch(s -> s.startsWith("a:"));
    }

    @Test
    void anotherBeatTakesOverOnceTheHolderStopsRenewing() throws Exception {
        BeatSettings shortLease = BeatSettings.defaults("a").withLeaseTtl(Duration.ofMillis(300));
        Beat a = beat("a", shortLease, recording("a"), every("tick", 1));
        Beat b = beat("b", new BeatSettings("b", shortLease.leaseTtl(), MissedRun.ONCE, shortLease.maxInterval(), UTC),
                recording("b"), every("tick", 1));
        a.runOnce();
        b.runOnce();
        assertThat(b.leading()).isFalse();

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!b.leading() && System.nanoTime() < deadline) { // a is gone: it looks no more
            Thread.sleep(50);
            clock.advance(Duration.ofSeconds(1));
            b.runOnce();
        }

        assertThat(b.leading()).isTrue();
        assertThat(sent).isNotEmpty().allMatch(s -> s.startsWith("b:"));
    }

    @Test
    void closingABeatHandsTheLeaseOverAtOnce() {
        Beat a = beat("a", every("tick", 1));
        Beat b = beat("b", every("tick", 1));
        a.runOnce();
        b.runOnce();

        a.close();
        b.runOnce();

        assertThat(b.leading()).isTrue();
        assertThat(store.leaseHolder()).contains("b");
    }

    @Test
    void aTickIsRecordedOnlyOnceItsTaskIsSent() {
        List<Boolean> brokerUp = new ArrayList<>(List.of(false));
        Beat b = beat("b1", BeatSettings.defaults("b1"), e -> {
            if (!brokerUp.get(0)) {
                throw new IllegalStateException("broker down");
            }
            sent.add(e.name());
            return "id";
        }, every("tick", 10));
        b.runOnce();
        clock.advance(Duration.ofSeconds(10));

        assertThatThrownBy(b::runOnce).hasMessage("broker down");
        assertThat(store.lastRuns().get("tick")).isEqualTo(T);
        brokerUp.set(0, true);
        b.runOnce();

        assertThat(sent).containsExactly("tick");
        assertThat(store.lastRuns().get("tick")).isEqualTo(T.plusSeconds(10));
    }

    @Test
    void aLeaderWhoseLeaseMayHaveRunOutSendsNoMoreUntilItRenews() {
        BeatSettings shortLease = BeatSettings.defaults("b1").withLeaseTtl(Duration.ofMillis(200));
        Beat b = beat("b1", shortLease, e -> {
            sent.add(e.name());
            try {
                Thread.sleep(250); // a send slower than the lease
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
            }
            return "id";
        }, every("one", 10), every("two", 10));
        b.runOnce();
        clock.advance(Duration.ofSeconds(10));

        Duration next = b.runOnce();

        assertThat(sent).hasSize(1);
        assertThat(next).isZero();
        b.runOnce();
        assertThat(sent).hasSize(2);
    }

    @Test
    void aClockThatMovedBackRestartsTheEntryFromNow() {
        store.recordRun("tick", T.plus(Duration.ofHours(1)));
        Beat b = beat("b1", every("tick", 10));

        b.runOnce();
        clock.advance(Duration.ofSeconds(10));
        b.runOnce();

        assertThat(sent).hasSize(1);
        assertThat(store.lastRuns().get("tick")).isEqualTo(T.plusSeconds(10));
    }

    @Test
    void entriesAddedToTheStoreRunOnEveryBeatOfIt() {
        Beat b = beat("b1");
        new StoredEntries(stores.open(url, Map.of()), UTC).add(every("added", 5));

        b.runOnce();
        clock.advance(Duration.ofSeconds(5));
        b.runOnce();

        assertThat(b.entries()).containsKey("added");
        assertThat(sent).containsExactly("b1:added@" + T.plusSeconds(5));
        assertThat(b.stored().remove("added")).isTrue();
        assertThat(b.entries()).isEmpty();
        assertThat(store.lastRuns()).doesNotContainKey("added");
    }

    @Test
    void aRunningBeatSendsOnItsOwnThreadAndStopsOnClose() throws Exception {
        Clock real = Clock.systemUTC();
        Beat b = new Beat(store, e -> {
            sent.add(e.name());
            return "id";
        }, BeatSettings.defaults("b1"), real);
        b.entries("test", List.of(every("fast", 0.1)));
        b.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (sent.size() < 3 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        b.close();
        int after = sent.size();
        Thread.sleep(300);

        assertThat(after).isGreaterThanOrEqualTo(3);
        assertThat(sent).hasSize(after);
        assertThat(store.leaseHolder()).isEmpty();
    }

    /** A clock the test moves by hand. */
    static final class MovableClock extends Clock {
        private volatile Instant now;

        MovableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
