package org.celeriac.beat;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Crontabs across daylight-saving transitions, as Celery 5.5.2+ computes them with zoneinfo: a nonexistent wall time
 * moves forward by the gap, a doubled one fires once at its earlier instant.
 */
class CrontabDaylightSavingTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    /** Every firing in [from, until). */
    private static List<Instant> firings(Schedule schedule, Instant from, Instant until) {
        var out = new ArrayList<Instant>();
        Instant t = from.minusNanos(1);
        while (true) {
            t = schedule.nextAfter(t).orElseThrow();
            if (!t.isBefore(until)) {
                return out;
            }
            out.add(t);
        }
    }

    private static List<Instant> dayOf(Schedule schedule, String date, ZoneId zone) {
        LocalDate d = LocalDate.parse(date);
        return firings(schedule, d.atStartOfDay(zone).toInstant(), d.plusDays(1).atStartOfDay(zone).toInstant());
    }

    private static Instant odt(String offsetDateTime) {
        return OffsetDateTime.parse(offsetDateTime).toInstant();
    }

    @Test
    void springForwardInBerlinMovesTheMissingTwoThirtyTickByTheGapToThreeThirty() {
        var cron = CrontabSchedule.parse("30 2 * * *", BERLIN);
        assertThat(dayOf(cron, "2027-03-27", BERLIN)).containsExactly(odt("2027-03-27T02:30+01:00"));
        assertThat(dayOf(cron, "2027-03-28", BERLIN)).containsExactly(odt("2027-03-28T03:30+02:00"));
        assertThat(dayOf(cron, "2027-03-29", BERLIN)).containsExactly(odt("2027-03-29T02:30+02:00"));
    }

    @Test
    void springForwardInNewYorkMovesTheMissingTwoThirtyTickByTheGapToThreeThirty() {
        var cron = CrontabSchedule.parse("30 2 * * *", NEW_YORK);
        assertThat(cron.nextAfter(odt("2027-03-13T02:30-05:00"))).contains(odt("2027-03-14T03:30-04:00"));
        assertThat(cron.nextAfter(odt("2027-03-14T03:30-04:00"))).contains(odt("2027-03-15T02:30-04:00"));
    }

    @Test
    void fallBackInBerlinFiresTheDoubledTwoThirtyOnceAtTheEarlierInstant() {
        var cron = CrontabSchedule.parse("30 2 * * *", BERLIN);
        assertThat(dayOf(cron, "2027-10-31", BERLIN)).containsExactly(odt("2027-10-31T02:30+02:00"));
        // Even asked from inside the repeated hour, before the second 02:30, it does not fire that again.
        assertThat(cron.nextAfter(odt("2027-10-31T02:10+01:00"))).contains(odt("2027-11-01T02:30+01:00"));
    }

    @Test
    void fallBackInNewYorkFiresTheDoubledOneThirtyOnceAtTheEarlierInstant() {
        var cron = CrontabSchedule.parse("30 1 * * *", NEW_YORK);
        assertThat(dayOf(cron, "2027-11-07", NEW_YORK)).containsExactly(odt("2027-11-07T01:30-04:00"));
    }

    @Test
    void everyQuarterHourOnTheSpringForwardDayHasNoDuplicatesAndTwentyThreeHoursOfTicks() {
        var cron = CrontabSchedule.parse("*/15 * * * *", BERLIN);
        List<Instant> day = dayOf(cron, "2027-03-28", BERLIN);
        assertThat(day).doesNotHaveDuplicates().isSorted().hasSize(23 * 4);
        assertThat(day).contains(odt("2027-03-28T01:45+01:00"), odt("2027-03-28T03:00+02:00"));
        assertThat(gaps(day)).containsOnly(Duration.ofMinutes(15));

        List<Instant> ny = dayOf(CrontabSchedule.parse("*/15 * * * *", NEW_YORK), "2027-03-14", NEW_YORK);
        assertThat(ny).doesNotHaveDuplicates().hasSize(23 * 4);
        assertThat(gaps(ny)).containsOnly(Duration.ofMinutes(15));
    }

    @Test
    void everyQuarterHourOnTheFallBackDayRunsEachWallTimeOnceSoTheRepeatedHourIsQuiet() {
        var cron = CrontabSchedule.parse("*/15 * * * *", BERLIN);
        List<Instant> day = dayOf(cron, "2027-10-31", BERLIN);
        // 25 hours, 24 * 4 wall times: the second pass of 02:00-02:59 (CET) runs nothing.
        assertThat(day).doesNotHaveDuplicates().isSorted().hasSize(24 * 4);
        assertThat(day).contains(odt("2027-10-31T02:45+02:00"), odt("2027-10-31T03:00+01:00"))
                .doesNotContain(odt("2027-10-31T02:00+01:00"), odt("2027-10-31T02:45+01:00"));
        assertThat(day.get(day.indexOf(odt("2027-10-31T02:45+02:00")) + 1)).isEqualTo(odt("2027-10-31T03:00+01:00"));

        List<Instant> ny = dayOf(CrontabSchedule.parse("*/15 * * * *", NEW_YORK), "2027-11-07", NEW_YORK);
        assertThat(ny).doesNotHaveDuplicates().hasSize(24 * 4);
    }

    @Test
    void hourlyTicksInsideTheGapCollapseOntoTheFirstHourAfterIt() {
        // 02:00 does not exist on 2027-03-28 in Berlin; moved by the gap it is 03:00, which also ticks: once.
        var cron = CrontabSchedule.parse("0 1-4 * * *", BERLIN);
        assertThat(dayOf(cron, "2027-03-28", BERLIN)).containsExactly(odt("2027-03-28T01:00+01:00"),
                odt("2027-03-28T03:00+02:00"), odt("2027-03-28T04:00+02:00"));
    }

    @Test
    void wallTimesOutsideTheTransitionsKeepTheirLocalTime() {
        var cron = CrontabSchedule.parse("0 9 * * *", BERLIN);
        var t = LocalDate.parse("2027-03-20").atStartOfDay(BERLIN).toInstant();
        for (int i = 0; i < 20; i++) {
            t = cron.nextAfter(t).orElseThrow();
            assertThat(LocalDateTime.ofInstant(t, BERLIN).toLocalTime()).hasToString("09:00");
        }
    }

    private static List<Duration> gaps(List<Instant> instants) {
        var out = new ArrayList<Duration>();
        for (int i = 1; i < instants.size(); i++) {
            out.add(Duration.between(instants.get(i - 1), instants.get(i)));
        }
        return out;
    }
}
