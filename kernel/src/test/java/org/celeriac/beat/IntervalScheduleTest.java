package org.celeriac.beat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Intervals and clocked one-offs. */
class IntervalScheduleTest {

    private static final Instant T = Instant.parse("2027-05-05T10:00:00Z");

    @Test
    void fractionsOfASecondAreKept() {
        var halfSecond = IntervalSchedule.everySeconds(0.5);
        assertThat(halfSecond.every()).isEqualTo(Duration.ofMillis(500));
        assertThat(halfSecond.nextAfter(T)).contains(T.plusMillis(500));
        assertThat(IntervalSchedule.everySeconds(0.1).every()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void nextAfterJustAddsTheIntervalWhereverTheClockJumped() {
        var every = IntervalSchedule.every(Duration.ofSeconds(30));
        Instant past = T.minus(Duration.ofDays(3));
        Instant future = T.plus(Duration.ofDays(400));
        assertThat(every.nextAfter(past)).contains(past.plusSeconds(30));
        assertThat(every.nextAfter(T)).contains(T.plusSeconds(30));
        assertThat(every.nextAfter(future)).contains(future.plusSeconds(30));
        // Monotonic: a later 'after' never gives an earlier next run.
        assertThat(every.nextAfter(past).orElseThrow()).isBefore(every.nextAfter(T).orElseThrow());
    }

    @Test
    void intervalsIgnoreDaylightSavingTime() {
        // 2027-03-28 01:30 CET, just before Berlin springs forward: an hour later is an hour later.
        Instant beforeGap = Instant.parse("2027-03-28T00:30:00Z");
        assertThat(IntervalSchedule.every(Duration.ofHours(1)).nextAfter(beforeGap))
                .contains(Instant.parse("2027-03-28T01:30:00Z"));
    }

    @Test
    void nonPositiveIntervalsAreRejected() {
        assertThatThrownBy(() -> IntervalSchedule.every(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> IntervalSchedule.everySeconds(-1)).hasMessageContaining("positive");
        assertThatThrownBy(() -> IntervalSchedule.everySeconds(Double.NaN)).hasMessageContaining("finite");
    }

    @Test
    void describeIsCelerysHumanizedFrequency() {
        assertThat(IntervalSchedule.everySeconds(1).describe()).isEqualTo("<freq: 1.00 second>");
        assertThat(IntervalSchedule.everySeconds(30).describe()).isEqualTo("<freq: 30.00 seconds>");
        assertThat(IntervalSchedule.everySeconds(90).describe()).isEqualTo("<freq: 1.50 minutes>");
        assertThat(IntervalSchedule.everySeconds(3600).describe()).isEqualTo("<freq: 1.00 hour>");
        assertThat(IntervalSchedule.everySeconds(86400 * 2).describe()).isEqualTo("<freq: 2.00 days>");
        assertThat(IntervalSchedule.everySeconds(0.5).describe()).isEqualTo("<freq: 0.50 seconds>");
    }

    @Test
    void farFutureGivesEmptyRatherThanFailing() {
        assertThat(IntervalSchedule.everySeconds(1).nextAfter(Instant.MAX)).isEmpty();
    }

    @Test
    void clockedFiresOnceAtItsInstantThenNever() {
        var once = ClockedSchedule.at(Instant.parse("2027-01-01T00:00:00Z"));
        assertThat(once.nextAfter(Instant.parse("2026-12-31T23:59:59Z"))).contains(once.at());
        assertThat(once.nextAfter(once.at())).isEmpty();
        assertThat(once.nextAfter(Instant.parse("2027-06-01T00:00:00Z"))).isEmpty();
    }

    @Test
    void clockedDescribesLikeDjangoCeleryBeat() {
        assertThat(ClockedSchedule.at(Instant.parse("2027-01-01T00:00:00Z")).describe())
                .isEqualTo("<clocked: 2027-01-01 00:00:00+00:00>");
        assertThat(ClockedSchedule.at(Instant.parse("2027-01-01T00:00:00.25Z")).describe())
                .isEqualTo("<clocked: 2027-01-01 00:00:00.250000+00:00>");
    }
}
