package org.celeriac.beat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which wall-clock minutes a crontab selects, with Celery's field syntax and day rules (UTC, no DST here). */
class CrontabScheduleTest {

    private static final ZoneId UTC = ZoneOffset.UTC;

    private static Instant utc(String localDateTime) {
        return LocalDateTime.parse(localDateTime).toInstant(ZoneOffset.UTC);
    }

    /** The next {@code n} firings after {@code from}, as UTC wall times. */
    private static List<LocalDateTime> firings(Schedule schedule, String from, int n) {
        var out = new ArrayList<LocalDateTime>();
        Instant t = utc(from);
        for (int i = 0; i < n; i++) {
            t = schedule.nextAfter(t).orElseThrow();
            out.add(LocalDateTime.ofInstant(t, UTC));
        }
        return out;
    }

    private static List<LocalDateTime> at(String... localDateTimes) {
        return Arrays.stream(localDateTimes).map(LocalDateTime::parse).toList();
    }

    @Test
    void everyFifteenMinutesFiresOnTheQuarterHours() {
        var cron = CrontabSchedule.parse("*/15 * * * *", UTC);
        assertThat(firings(cron, "2027-05-05T10:07:13", 4))
                .isEqualTo(at("2027-05-05T10:15", "2027-05-05T10:30", "2027-05-05T10:45", "2027-05-05T11:00"));
    }

    @Test
    void nextAfterIsStrictlyAfterATickItself() {
        var cron = CrontabSchedule.parse("*/15 * * * *", UTC);
        assertThat(cron.nextAfter(utc("2027-05-05T10:15"))).contains(utc("2027-05-05T10:30"));
        assertThat(cron.nextAfter(utc("2027-05-05T10:14:59.999"))).contains(utc("2027-05-05T10:15"));
    }

    @Test
    void crontabEveryFifteenMinutesOnWeekdaysSkipsTheWeekend() {
        var cron = CrontabSchedule.parse("*/15 9-17 * * mon-fri", UTC);
        // 2027-05-07 is a Friday: its last tick is 17:45, the next is Monday 09:00.
        assertThat(firings(cron, "2027-05-07T17:31", 3))
                .isEqualTo(at("2027-05-07T17:45", "2027-05-10T09:00", "2027-05-10T09:15"));
        assertThat(firings(cron, "2027-05-07T00:00", 200)).allSatisfy(t -> {
            assertThat(t.getDayOfWeek()).isNotIn(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY);
            assertThat(t.getHour()).isBetween(9, 17);
            assertThat(t.getMinute() % 15).isZero();
        });
    }

    @Test
    void listsAndRangesCombine() {
        var cron = CrontabSchedule.parse("0,30 8,12-13 * * *", UTC);
        assertThat(firings(cron, "2027-05-05T00:00", 7)).isEqualTo(at("2027-05-05T08:00", "2027-05-05T08:30",
                "2027-05-05T12:00", "2027-05-05T12:30", "2027-05-05T13:00", "2027-05-05T13:30", "2027-05-06T08:00"));
    }

    @Test
    void steppedRangeCountsFromItsStart() {
        // Celery: crontab_parser(60).parse('1-10/4') == {1, 5, 9}.
        var cron = CrontabSchedule.parse("1-10/4 0 * * *", UTC);
        assertThat(firings(cron, "2027-05-05T00:00", 4))
                .isEqualTo(at("2027-05-05T00:01", "2027-05-05T00:05", "2027-05-05T00:09", "2027-05-06T00:01"));
    }

    @Test
    void aRangeEndingBelowItsStartWrapsAroundAsInCelery() {
        // '22-2/2' expands to 22, 23, 0, 1, 2 and keeps every second: 22, 0, 2.
        var hours = CrontabSchedule.parse("0 22-2/2 * * *", UTC);
        assertThat(firings(hours, "2027-05-05T12:00", 4))
                .isEqualTo(at("2027-05-05T22:00", "2027-05-06T00:00", "2027-05-06T02:00", "2027-05-06T22:00"));
        // fri-mon: Friday, Saturday, Sunday, Monday (2027-05-07 is a Friday).
        var days = CrontabSchedule.parse("0 0 * * fri-mon", UTC);
        assertThat(firings(days, "2027-05-06T12:00", 5)).extracting(LocalDateTime::getDayOfWeek)
                .containsExactly(DayOfWeek.FRIDAY, DayOfWeek.SATURDAY, DayOfWeek.SUNDAY, DayOfWeek.MONDAY,
                        DayOfWeek.FRIDAY);
    }

    @Test
    void weekdayNamesAbbreviatedOrFullInAnyCaseAndSundayIsZero() {
        var named = CrontabSchedule.parse("0 12 * * Sunday,WED", UTC);
        var numbered = CrontabSchedule.parse("0 12 * * 0,3", UTC);
        assertThat(named).isEqualTo(numbered);
        assertThat(firings(named, "2027-05-05T12:00", 2)).extracting(LocalDateTime::getDayOfWeek)
                .containsExactly(DayOfWeek.SUNDAY, DayOfWeek.WEDNESDAY);
    }

    @Test
    void monthNamesAreAcceptedAsCelery55Does() {
        var cron = CrontabSchedule.parse("0 0 1 jan,jul-aug *", UTC);
        assertThat(firings(cron, "2027-05-05T00:00", 3))
                .isEqualTo(at("2027-07-01T00:00", "2027-08-01T00:00", "2028-01-01T00:00"));
    }

    @Test
    void thirtyFirstFiresOnlyInMonthsWithThirtyOneDays() {
        var cron = CrontabSchedule.parse("0 0 31 * *", UTC);
        assertThat(firings(cron, "2027-01-01T00:00", 8)).extracting(LocalDateTime::getMonthValue)
                .containsExactly(1, 3, 5, 7, 8, 10, 12, 1);
    }

    @Test
    void february29thFiresInTheNextLeapYear() {
        var cron = CrontabSchedule.parse("0 0 29 2 *", UTC);
        assertThat(firings(cron, "2027-01-01T00:00", 3))
                .isEqualTo(at("2028-02-29T00:00", "2032-02-29T00:00", "2036-02-29T00:00"));
        // 2100 is not a leap year.
        assertThat(cron.nextAfter(utc("2096-03-01T00:00"))).contains(utc("2104-02-29T00:00"));
    }

    @Test
    void dayOfMonthAndDayOfWeekMustBothMatchAsInCelery() {
        // Celery's remaining_delta requires month_of_year and day_of_month and day_of_week; Vixie cron would run
        // on every Monday and on each of days 1-7.
        var firstMondays = CrontabSchedule.parse("0 0 1-7 * mon", UTC);
        assertThat(firings(firstMondays, "2027-01-01T00:00", 4))
                .isEqualTo(at("2027-01-04T00:00", "2027-02-01T00:00", "2027-03-01T00:00", "2027-04-05T00:00"));
        // Friday the 13th.
        var unlucky = CrontabSchedule.parse("0 0 13 * fri", UTC);
        assertThat(firings(unlucky, "2027-01-01T00:00", 2)).isEqualTo(at("2027-08-13T00:00", "2028-10-13T00:00"));
        // February 29th on a Monday: every 28 years or so, still found.
        var rare = CrontabSchedule.parse("0 0 29 2 mon", UTC);
        assertThat(rare.nextAfter(utc("2027-01-01T00:00"))).contains(utc("2044-02-29T00:00"));
    }

    @Test
    void keywordFormTakesCeleryNamesNumbersAndListsWithMissingFieldsStar() {
        var fromMap = CrontabSchedule.fromKeywords(
                Map.of("minute", 0, "hour", List.of(8, 12), "day_of_week", "mon-fri"), UTC);
        assertThat(fromMap).isEqualTo(CrontabSchedule.parse("0 8,12 * * 1-5", UTC));
        assertThat(fromMap.describe()).isEqualTo("<crontab: 0 8,12 * * mon-fri (m/h/dM/MY/d)>");
        assertThat(CrontabSchedule.of(null, null, null, null, null, UTC).expression()).isEqualTo("* * * * *");
    }

    @Test
    void describeIsCelerysReprInCronOrder() {
        assertThat(CrontabSchedule.parse("*/15 9-17 * * mon-fri", UTC).describe())
                .isEqualTo("<crontab: */15 9-17 * * mon-fri (m/h/dM/MY/d)>");
    }

    @Test
    void outOfRangeValuesAreRejectedNamingFieldAndValue() {
        assertThatThrownBy(() -> CrontabSchedule.parse("60 * * * *", UTC))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid crontab minute '60': 60 is out of range 0-59");
        assertThatThrownBy(() -> CrontabSchedule.parse("0 24 * * *", UTC))
                .hasMessage("invalid crontab hour '24': 24 is out of range 0-23");
        assertThatThrownBy(() -> CrontabSchedule.parse("0 0 0 * *", UTC))
                .hasMessage("invalid crontab day_of_month '0': 0 is out of range 1-31");
        assertThatThrownBy(() -> CrontabSchedule.parse("0 0 * 13 *", UTC))
                .hasMessage("invalid crontab month_of_year '13': 13 is out of range 1-12");
        assertThatThrownBy(() -> CrontabSchedule.parse("0 0 * * 7", UTC))
                .hasMessage("invalid crontab day_of_week '7': 7 is out of range 0-6 (Sunday is 0)");
        assertThatThrownBy(() -> CrontabSchedule.parse("0 0 * * 1-99999999999", UTC))
                .hasMessageContaining("day_of_week").hasMessageContaining("out of range");
    }

    @Test
    void malformedFieldsAreRejectedWithTheReason() {
        assertThatThrownBy(() -> CrontabSchedule.parse("*/0 * * * *", UTC))
                .hasMessage("invalid crontab minute '*/0': the step in '*/0' is zero");
        assertThatThrownBy(() -> CrontabSchedule.parse("*/ * * * *", UTC))
                .hasMessageContaining("minute '*/'").hasMessageContaining("step");
        assertThatThrownBy(() -> CrontabSchedule.parse("5/10 * * * *", UTC))
                .hasMessageContaining("minute '5/10'").hasMessageContaining("a step needs '*' or a range");
        assertThatThrownBy(() -> CrontabSchedule.parse("1,,2 * * * *", UTC))
                .hasMessage("invalid crontab minute '1,,2': it has an empty part between commas");
        assertThatThrownBy(() -> CrontabSchedule.parse("-5 * * * *", UTC))
                .hasMessageContaining("negative numbers are not supported");
        assertThatThrownBy(() -> CrontabSchedule.parse("0 0 * * funday", UTC))
                .hasMessage("invalid crontab day_of_week 'funday': 'funday' is not a number or a weekday name "
                        + "(sun..sat, sunday..saturday)");
        // Names belong to their own field.
        assertThatThrownBy(() -> CrontabSchedule.parse("mon * * * *", UTC))
                .hasMessage("invalid crontab minute 'mon': 'mon' is not a number");
        assertThatThrownBy(() -> CrontabSchedule.parse("0 0 * * jan", UTC)).hasMessageContaining("day_of_week 'jan'");
        assertThatThrownBy(() -> CrontabSchedule.parse("* * * *", UTC))
                .hasMessageContaining("five fields").hasMessageContaining("got 4");
        assertThatThrownBy(() -> CrontabSchedule.fromKeywords(Map.of("minutes", "5"), UTC))
                .hasMessageContaining("unknown crontab field 'minutes'");
        assertThatThrownBy(() -> CrontabSchedule.fromKeywords(Map.of("hour", List.of(8, "x")), UTC))
                .hasMessageContaining("invalid crontab hour").hasMessageContaining("whole numbers");
        assertThatThrownBy(() -> CrontabSchedule.fromKeywords(Map.of("hour", 1.5), UTC))
                .hasMessageContaining("invalid crontab hour '1.5'");
    }

    @Test
    void aDayThatNeverExistsIsRejectedWhenTheScheduleIsMade() {
        assertThatThrownBy(() -> CrontabSchedule.parse("0 0 30-31 feb *", UTC))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid crontab: day_of_month '30-31' never occurs in month_of_year 'feb'");
        assertThatThrownBy(() -> CrontabSchedule.parse("0 0 31 4,6,9,11 *", UTC))
                .hasMessageContaining("never occurs");
    }

    @Test
    void equalWhenTheSameTimesAreSelectedInTheSameZone() {
        assertThat(CrontabSchedule.parse("0-59/15 * * * *", UTC)).isEqualTo(CrontabSchedule.parse("*/15 * * * *", UTC))
                .hasSameHashCodeAs(CrontabSchedule.parse("0,15,30,45 * * * *", UTC));
        assertThat(CrontabSchedule.parse("*/15 * * * *", UTC))
                .isNotEqualTo(CrontabSchedule.parse("*/15 * * * *", ZoneId.of("Europe/Berlin")));
    }

    @Test
    void zonesShiftTheWallClockTheTicksAreReadOn() {
        var berlinNoon = CrontabSchedule.parse("0 12 * * *", ZoneId.of("Europe/Berlin"));
        assertThat(berlinNoon.nextAfter(utc("2027-01-15T00:00"))).contains(utc("2027-01-15T11:00"));
        assertThat(berlinNoon.nextAfter(utc("2027-07-15T00:00"))).contains(utc("2027-07-15T10:00"));
    }

    @Test
    void farFutureGivesEmptyRatherThanFailing() {
        assertThat(CrontabSchedule.parse("0 0 * * *", UTC).nextAfter(Instant.MAX)).isEmpty();
    }
}
