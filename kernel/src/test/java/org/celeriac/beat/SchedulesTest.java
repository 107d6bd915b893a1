package org.celeriac.beat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The {@code schedule:} value of an entry as YAML/JSON parsers hand it over, and back. */
class SchedulesTest {

    private static final ZoneId UTC = ZoneOffset.UTC;
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Test
    void numbersAndNumericStringsAreIntervalsInSeconds() {
        assertThat(Schedules.parse(30, UTC)).isEqualTo(IntervalSchedule.every(Duration.ofSeconds(30)));
        assertThat(Schedules.parse(30L, UTC)).isEqualTo(IntervalSchedule.every(Duration.ofSeconds(30)));
        assertThat(Schedules.parse(0.5, UTC)).isEqualTo(IntervalSchedule.every(Duration.ofMillis(500)));
        assertThat(Schedules.parse(new BigDecimal("1.25"), UTC))
                .isEqualTo(IntervalSchedule.every(Duration.ofMillis(1250)));
        assertThat(Schedules.parse(" 45 ", UTC)).isEqualTo(IntervalSchedule.every(Duration.ofSeconds(45)));
        assertThat(Schedules.parse("0.1", UTC)).isEqualTo(IntervalSchedule.every(Duration.ofMillis(100)));
        assertThat(Schedules.parse(Map.of("interval", 60), UTC))
                .isEqualTo(IntervalSchedule.every(Duration.ofMinutes(1)));
    }

    @Test
    void crontabStringIsInCronFieldOrderInTheGivenZone() {
        Schedule s = Schedules.parse(Map.of("crontab", "*/15 9-17 * * mon-fri"), BERLIN);
        assertThat(s).isEqualTo(CrontabSchedule.of("*/15", "9-17", "mon-fri", "*", "*", BERLIN));
        assertThat(((CrontabSchedule) s).zone()).isEqualTo(BERLIN);
    }

    @Test
    void crontabMapUsesCeleryKeywordNames() {
        Schedule s = Schedules.parse(Map.of("crontab", Map.of("minute", "*/15", "hour", "9-17",
                "day_of_week", "mon-fri", "day_of_month", "*", "month_of_year", "*")), UTC);
        assertThat(s).isEqualTo(CrontabSchedule.parse("*/15 9-17 * * mon-fri", UTC));
    }

    @Test
    void crontabTimezoneOverridesTheDefaultZone() {
        Schedule s = Schedules.parse(Map.of("crontab", "0 12 * * *", "timezone", "Europe/Berlin"), UTC);
        assertThat(((CrontabSchedule) s).zone()).isEqualTo(BERLIN);
        assertThat(s.nextAfter(Instant.parse("2027-01-15T00:00:00Z"))).contains(Instant.parse("2027-01-15T11:00:00Z"));
    }

    @Test
    void solarTakesEventLatitudeAndLongitude() {
        assertThat(Schedules.parse(Map.of("solar", "sunset", "lat", 52.5, "lon", 13.4), UTC))
                .isEqualTo(SolarSchedule.of("sunset", 52.5, 13.4));
        assertThat(Schedules.parse(Map.of("solar", "sunrise", "lat", 52, "lon", "13"), UTC))
                .isEqualTo(SolarSchedule.of("sunrise", 52, 13));
    }

    @Test
    void clockedTakesAnIsoInstantOrALocalTimeInTheZone() {
        assertThat(Schedules.parse(Map.of("clocked", "2027-01-01T00:00:00Z"), BERLIN))
                .isEqualTo(ClockedSchedule.at(Instant.parse("2027-01-01T00:00:00Z")));
        assertThat(Schedules.parse(Map.of("clocked", "2027-01-01T09:00:00+09:00"), BERLIN))
                .isEqualTo(ClockedSchedule.at(Instant.parse("2027-01-01T00:00:00Z")));
        assertThat(Schedules.parse(Map.of("clocked", "2027-01-01T01:00:00"), BERLIN))
                .isEqualTo(ClockedSchedule.at(Instant.parse("2027-01-01T00:00:00Z")));
        // SnakeYAML reads an unquoted timestamp as a java.util.Date.
        assertThat(Schedules.parse(Map.of("clocked", Date.from(Instant.parse("2027-01-01T00:00:00Z"))), BERLIN))
                .isEqualTo(ClockedSchedule.at(Instant.parse("2027-01-01T00:00:00Z")));
    }

    static List<Schedule> everyKind() {
        return List.of(
                IntervalSchedule.everySeconds(30),
                IntervalSchedule.everySeconds(0.5),
                IntervalSchedule.every(Duration.ofNanos(1_000_000_001)),
                CrontabSchedule.parse("*/15 9-17 * * mon-fri", BERLIN),
                CrontabSchedule.fromKeywords(Map.of("minute", 0, "hour", List.of(8, 12)), UTC),
                CrontabSchedule.parse("0 0 1 jan-mar sun", ZoneId.of("America/New_York")),
                SolarSchedule.of("sunset", 52.5, 13.4),
                SolarSchedule.of("dawn_civil", -33.8688, 151.2093),
                ClockedSchedule.at(Instant.parse("2027-01-01T00:00:00.123456789Z")));
    }

    @ParameterizedTest
    @MethodSource("everyKind")
    void toDefinitionRoundTripsThroughParse(Schedule schedule) {
        // Parsed in another default zone: a crontab keeps its own.
        Schedule back = Schedules.parse(schedule.toDefinition(), ZoneId.of("Asia/Tokyo"));
        assertThat(back).isEqualTo(schedule);
        assertThat(back.describe()).isEqualTo(schedule.describe());
    }

    @Test
    void definitionsArePlainYamlValues() {
        assertThat(IntervalSchedule.everySeconds(30).toDefinition()).isEqualTo(Map.of("interval", 30L));
        assertThat(IntervalSchedule.everySeconds(0.5).toDefinition()).isEqualTo(Map.of("interval", 0.5));
        assertThat(CrontabSchedule.parse("*/15 9-17 * * mon-fri", BERLIN).toDefinition())
                .containsExactly(Map.entry("crontab", "*/15 9-17 * * mon-fri"), Map.entry("timezone", "Europe/Berlin"));
        assertThat(SolarSchedule.of("sunset", 52.5, 13.4).toDefinition())
                .containsExactly(Map.entry("solar", "sunset"), Map.entry("lat", 52.5), Map.entry("lon", 13.4));
        assertThat(ClockedSchedule.at(Instant.parse("2027-01-01T00:00:00Z")).toDefinition())
                .isEqualTo(Map.of("clocked", "2027-01-01T00:00:00Z"));
    }

    @Test
    void badDefinitionsSayWhatWasExpected() {
        assertThatThrownBy(() -> Schedules.parse(null, UTC))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("a schedule is a number of seconds").hasMessageContaining("got nothing");
        assertThatThrownBy(() -> Schedules.parse("every minute", UTC))
                .hasMessageContaining("interval expects a number, got 'every minute'");
        assertThatThrownBy(() -> Schedules.parse(List.of(1, 2), UTC)).hasMessageContaining("a schedule is");
        assertThatThrownBy(() -> Schedules.parse(Map.of("cron", "* * * * *"), UTC))
                .hasMessageContaining("a schedule is");
        assertThatThrownBy(() -> Schedules.parse(Map.of("crontab", "* * * * *", "solar", "sunset"), UTC))
                .hasMessageContaining("both of");
        assertThatThrownBy(() -> Schedules.parse(0, UTC)).hasMessageContaining("positive");
        assertThatThrownBy(() -> Schedules.parse(-5, UTC)).hasMessageContaining("positive");
        assertThatThrownBy(() -> Schedules.parse(Double.NaN, UTC)).hasMessageContaining("expects a number");
        assertThatThrownBy(() -> Schedules.parse(Map.of("crontab", 5), UTC))
                .hasMessageContaining("crontab expects a string");
        assertThatThrownBy(() -> Schedules.parse(Map.of("crontab", "* * * * *", "timezone", "Mars/Olympus"), UTC))
                .hasMessageContaining("unknown crontab timezone 'Mars/Olympus'");
        assertThatThrownBy(() -> Schedules.parse(Map.of("crontab", "* * * * *", "tz", "UTC"), UTC))
                .hasMessageContaining("unexpected [tz]");
        assertThatThrownBy(() -> Schedules.parse(Map.of("crontab", "61 * * * *"), UTC))
                .hasMessage("invalid crontab minute '61': 61 is out of range 0-59");
        assertThatThrownBy(() -> Schedules.parse(Map.of("solar", "sunset", "lat", 52.5), UTC))
                .hasMessageContaining("solar needs lat and lon");
        assertThatThrownBy(() -> Schedules.parse(Map.of("solar", "sunset", "lat", "north", "lon", 1), UTC))
                .hasMessageContaining("solar lat expects a number");
        assertThatThrownBy(() -> Schedules.parse(Map.of("clocked", "tomorrow"), UTC))
                .hasMessageContaining("clocked expects an ISO-8601 date-time");
        assertThatThrownBy(() -> Schedules.parse(Map.of("interval", 1e-12), UTC))
                .hasMessageContaining("shorter than a nanosecond");
    }
}
