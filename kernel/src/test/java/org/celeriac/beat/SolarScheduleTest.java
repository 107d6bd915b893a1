package org.celeriac.beat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Solar events against published tables (timeanddate.com / NOAA's solar calculator), within two minutes, and the
 * polar days and nights on which an event does not happen.
 */
class SolarScheduleTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId OSLO = ZoneId.of("Europe/Oslo");

    private static final double BERLIN_LAT = 52.52;
    private static final double BERLIN_LON = 13.405;
    private static final double TROMSO_LAT = 69.6492;
    private static final double TROMSO_LON = 18.9553;

    /** The event's first occurrence after local midnight of {@code date}, as local wall time in {@code zone}. */
    private static LocalDateTime first(String event, double lat, double lon, String date, ZoneId zone) {
        Instant midnight = LocalDate.parse(date).atStartOfDay(zone).toInstant();
        return LocalDateTime.ofInstant(SolarSchedule.of(event, lat, lon).nextAfter(midnight).orElseThrow(), zone);
    }

    @ParameterizedTest(name = "Berlin {0} {1} at {2}")
    @CsvSource({
        "2027-06-21, dawn_civil, 03:51",
        "2027-06-21, sunrise,    04:43",
        "2027-06-21, solar_noon, 13:08",
        "2027-06-21, sunset,     21:33",
        "2027-06-21, dusk_civil, 22:24",
        "2027-12-21, dawn_civil, 07:33",
        "2027-12-21, sunrise,    08:15",
        "2027-12-21, solar_noon, 12:04",
        "2027-12-21, sunset,     15:54",
        "2027-12-21, dusk_civil, 16:36",
        "2027-12-21, dawn_nautical, 06:49",
        "2027-12-21, dusk_nautical, 17:20",
        "2027-12-21, dawn_astronomical, 06:07",
        "2027-12-21, dusk_astronomical, 18:02",
    })
    void berlinMatchesPublishedTimesWithinTwoMinutes(String date, String event, String published) {
        LocalDateTime computed = first(event, BERLIN_LAT, BERLIN_LON, date, BERLIN);
        assertThat(computed.toLocalDate()).isEqualTo(LocalDate.parse(date));
        assertThat(computed.toLocalTime().toSecondOfDay() / 60.0)
                .isCloseTo(LocalTime.parse(published).toSecondOfDay() / 60.0, within(2.0));
    }

    @Test
    void newYorkSolsticeSunriseAndSunsetMatchPublishedTimes() {
        ZoneId ny = ZoneId.of("America/New_York");
        // NOAA: 2027-06-21, 40.7128 N 74.0060 W: sunrise 05:25, sunset 20:31 EDT.
        assertThat(first("sunrise", 40.7128, -74.006, "2027-06-21", ny).toLocalTime())
                .isBetween(LocalTime.parse("05:23"), LocalTime.parse("05:27"));
        assertThat(first("sunset", 40.7128, -74.006, "2027-06-21", ny).toLocalTime())
                .isBetween(LocalTime.parse("20:29"), LocalTime.parse("20:33"));
    }

    @Test
    void southernHemisphereHasItsLongestDayInDecember() {
        ZoneId sydney = ZoneId.of("Australia/Sydney");
        // Sydney (33.8688 S, 151.2093 E), 2027-12-21: sunrise about 05:41, sunset about 20:05 AEDT.
        assertThat(first("sunrise", -33.8688, 151.2093, "2027-12-21", sydney).toLocalTime())
                .isBetween(LocalTime.parse("05:38"), LocalTime.parse("05:44"));
        assertThat(first("sunset", -33.8688, 151.2093, "2027-12-21", sydney).toLocalTime())
                .isBetween(LocalTime.parse("20:02"), LocalTime.parse("20:08"));
    }

    @Test
    void eventsFollowOneAnotherDayAfterDay() {
        var sunset = SolarSchedule.of("sunset", BERLIN_LAT, BERLIN_LON);
        Instant t = LocalDate.parse("2027-01-01").atStartOfDay(BERLIN).toInstant();
        for (int i = 0; i < 400; i++) {
            Instant next = sunset.nextAfter(t).orElseThrow();
            assertThat(next).isAfter(t);
            if (i > 0) {
                assertThat(Duration.between(t, next)).isBetween(Duration.ofHours(23).plusMinutes(50),
                        Duration.ofHours(24).plusMinutes(10));
            }
            t = next;
        }
    }

    @Test
    void nextAfterAnEventIsTheNextDaysEvent() {
        var sunrise = SolarSchedule.of("sunrise", BERLIN_LAT, BERLIN_LON);
        Instant today = sunrise.nextAfter(LocalDate.parse("2027-06-21").atStartOfDay(BERLIN).toInstant())
                .orElseThrow();
        Instant tomorrow = sunrise.nextAfter(today).orElseThrow();
        assertThat(LocalDateTime.ofInstant(tomorrow, BERLIN).toLocalDate()).hasToString("2027-06-22");
        assertThat(sunrise.nextAfter(today.minusSeconds(1))).contains(today);
    }

    @Test
    void midnightSunInTromsoSkipsToTheFirstSunsetAfterIt() {
        // Sun above the horizon all day from late May to late July at 69.65 N.
        LocalDateTime sunset = first("sunset", TROMSO_LAT, TROMSO_LON, "2027-06-21", OSLO);
        assertThat(sunset.toLocalDate()).isBetween(LocalDate.parse("2027-07-20"), LocalDate.parse("2027-07-28"));
        // Just after midnight sun ends, the sun only dips below the horizon around local midnight.
        assertThat(sunset.toLocalTime()).satisfiesAnyOf(
                t -> assertThat(t).isAfter(LocalTime.parse("22:30")),
                t -> assertThat(t).isBefore(LocalTime.parse("01:30")));
    }

    @Test
    void polarNightInTromsoSkipsToTheFirstSunriseAfterIt() {
        // Published: the polar night in Tromso ends around 15 January.
        LocalDateTime sunrise = first("sunrise", TROMSO_LAT, TROMSO_LON, "2027-12-21", OSLO);
        assertThat(sunrise.toLocalDate()).isBetween(LocalDate.parse("2028-01-12"), LocalDate.parse("2028-01-18"));
        // Civil twilight still happens in the polar night, so dawn_civil is that same day.
        assertThat(first("dawn_civil", TROMSO_LAT, TROMSO_LON, "2027-12-21", OSLO).toLocalDate())
                .hasToString("2027-12-21");
        // Solar noon happens every day, sun up or not.
        assertThat(first("solar_noon", TROMSO_LAT, TROMSO_LON, "2027-12-21", OSLO).toLocalDate())
                .hasToString("2027-12-21");
    }

    @Test
    void anEventThatNeverHappensWithinTheBoundIsEmpty() {
        // At the pole the sun never sinks 18 degrees below the horizon (its declination stays within 23.44).
        var never = SolarSchedule.of("dusk_astronomical", 90, 0);
        assertThat(never.nextAfter(Instant.parse("2027-01-01T00:00:00Z"))).isEmpty();
        assertThat(SolarSchedule.of("dawn_astronomical", -90, 0).nextAfter(Instant.parse("2027-01-01T00:00:00Z")))
                .isEmpty();
    }

    @Test
    void berlinHasNoAstronomicalNightAroundMidsummer() {
        LocalDateTime dusk = first("dusk_astronomical", BERLIN_LAT, BERLIN_LON, "2027-06-21", BERLIN);
        assertThat(dusk.toLocalDate()).isAfter(LocalDate.parse("2027-07-15"));
        assertThat(dusk.toLocalDate()).isBefore(LocalDate.parse("2027-08-05"));
    }

    @Test
    void eventsNearTheDateLineAreNotMissed() {
        // Longitude 179.9 E: solar noon falls near midnight UTC, on the UTC day before the local one.
        var noon = SolarSchedule.of("solar_noon", 0, 179.9);
        Instant t = Instant.parse("2027-04-01T00:00:00Z");
        Instant next = noon.nextAfter(t).orElseThrow();
        assertThat(Duration.between(t, next)).isLessThan(Duration.ofDays(1));
        var west = SolarSchedule.of("solar_noon", 0, -179.9);
        Instant n2 = west.nextAfter(t).orElseThrow();
        assertThat(Duration.between(t, n2)).isLessThan(Duration.ofDays(1));
        assertThat(west.nextAfter(n2).orElseThrow()).isCloseTo(n2.plus(1, ChronoUnit.DAYS),
                within(1, ChronoUnit.MINUTES));
    }

    @Test
    void invalidEventOrCoordinatesAreRejected() {
        assertThatThrownBy(() -> SolarSchedule.of("moonrise", 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("solar event 'moonrise' is invalid, must be one of dawn_astronomical, "
                        + "dawn_civil, dawn_nautical, dusk_astronomical");
        assertThatThrownBy(() -> SolarSchedule.of("sunset", 90.5, 0))
                .hasMessage("solar latitude 90.5 is invalid, must be between -90 and 90");
        assertThatThrownBy(() -> SolarSchedule.of("sunset", 0, -180.01))
                .hasMessage("solar longitude -180.01 is invalid, must be between -180 and 180");
        assertThatThrownBy(() -> SolarSchedule.of("sunset", Double.NaN, 0)).hasMessageContaining("latitude NaN");
    }

    @Test
    void describeIsCelerysRepr() {
        assertThat(SolarSchedule.of("sunset", 52.5, 13.4).describe())
                .isEqualTo("<solar: sunset at latitude 52.5, longitude: 13.4>");
    }
}
