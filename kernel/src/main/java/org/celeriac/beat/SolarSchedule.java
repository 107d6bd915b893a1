package org.celeriac.beat;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Fires at a solar event at a place, as Celery's {@code solar(event, lat, lon)}, computed with the NOAA algorithm at
 * sea level and without atmospheric model, as Celery asks {@code ephem} ({@code elev = 0}, {@code pressure = 0}):
 * <ul>
 *   <li>{@code sunrise}, {@code sunset}: the upper limb at -0°34' (Celery: horizon {@code -0:34},
 *       {@code use_center} false), i.e. the centre at -0.833° for a mean solar radius of 16';</li>
 *   <li>{@code dawn_civil}, {@code dusk_civil}, {@code dawn_nautical}, ... {@code dusk_astronomical}: the centre at
 *       -6°, -12°, -18° ({@code use_center} true). Celery 5.2 had +18 for {@code dusk_astronomical}, a typo fixed
 *       in 5.3; -18 here;</li>
 *   <li>{@code solar_noon}: the transit of the meridian ({@code next_transit}).</li>
 * </ul>
 * On a day an event does not happen (midnight sun, polar night) the schedule moves on to the next day it does, as
 * Celery does by checking again after the next anti-transit; it gives up (empty) after a year.
 *
 * @param event one of the nine events above
 * @param lat latitude in degrees, north positive, in [-90, 90]
 * @param lon longitude in degrees, east positive, in [-180, 180]
 */
public record SolarSchedule(String event, double lat, double lon) implements Schedule {

    /** How far ahead a missing event is looked for. */
    static final int SEARCH_DAYS = 370;

    private enum Event {
        DAWN_ASTRONOMICAL(-18, true), DAWN_NAUTICAL(-12, true), DAWN_CIVIL(-6, true), SUNRISE(-50.0 / 60, true),
        SOLAR_NOON(0, false), SUNSET(-50.0 / 60, false), DUSK_CIVIL(-6, false), DUSK_NAUTICAL(-12, false),
        DUSK_ASTRONOMICAL(-18, false);

        /** Altitude of the sun's centre in degrees. */
        final double altitude;
        final boolean rising;

        Event(double altitude, boolean rising) {
            this.altitude = altitude;
            this.rising = rising;
        }

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public SolarSchedule {
        Objects.requireNonNull(event, "event");
        if (Arrays.stream(Event.values()).noneMatch(e -> e.key().equals(event))) {
            throw new IllegalArgumentException("solar event '" + event + "' is invalid, must be one of "
                    + Arrays.stream(Event.values()).map(Event::key).sorted().collect(Collectors.joining(", ")));
        }
        // The negated tests also reject NaN.
        if (!(lat >= -90 && lat <= 90)) {
            throw new IllegalArgumentException("solar latitude " + lat + " is invalid, must be between -90 and 90");
        }
        if (!(lon >= -180 && lon <= 180)) {
            throw new IllegalArgumentException("solar longitude " + lon + " is invalid, must be between -180 and 180");
        }
    }

    /** The solar event {@code event} at latitude {@code lat}, longitude {@code lon}. */
    public static SolarSchedule of(String event, double lat, double lon) {
        return new SolarSchedule(event, lat, lon);
    }

    @Override
    public Optional<Instant> nextAfter(Instant after) {
        try {
            return next(after);
        } catch (DateTimeException | ArithmeticException beyondTheTimeLine) {
            return Optional.empty();
        }
    }

    private Optional<Instant> next(Instant after) {
        Event e = Event.valueOf(event.toUpperCase(Locale.ROOT));
        // Solar days are numbered by UTC date; start a little before so that an event of the previous number that
        // falls after 'after' (far east or west) is not missed.
        LocalDate first = LocalDate.ofInstant(after, ZoneOffset.UTC).minusDays(2);
        Instant limit = after.plus(SEARCH_DAYS, ChronoUnit.DAYS);
        for (LocalDate day = first; ; day = day.plusDays(1)) {
            Instant at = e == Event.SOLAR_NOON ? SolarCalculator.noon(day, lon)
                    : SolarCalculator.crossing(day, lat, lon, e.altitude, e.rising);
            if (at != null && at.isAfter(limit)) {
                return Optional.empty();
            }
            if (at != null && at.isAfter(after)) {
                return Optional.of(at);
            }
            if (day.isAfter(LocalDate.ofInstant(limit, ZoneOffset.UTC).plusDays(1))) {
                return Optional.empty();
            }
        }
    }

    /** Celery's repr: {@code <solar: sunset at latitude 52.5, longitude: 13.4>}. */
    @Override
    public String describe() {
        return "<solar: " + event + " at latitude " + lat + ", longitude: " + lon + ">";
    }

    @Override
    public Map<String, Object> toDefinition() {
        var definition = new LinkedHashMap<String, Object>();
        definition.put("solar", event);
        definition.put("lat", lat);
        definition.put("lon", lon);
        return Collections.unmodifiableMap(definition);
    }
}
