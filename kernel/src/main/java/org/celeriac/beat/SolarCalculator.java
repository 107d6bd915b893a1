package org.celeriac.beat;

import java.time.Instant;
import java.time.LocalDate;

/**
 * The NOAA solar position algorithm (Meeus-based, as in NOAA's solar calculator spreadsheet): the time of solar noon
 * and of the instants the sun's centre crosses a given altitude, for one day at one place. Accurate to about a
 * minute between the polar circles, a few minutes beyond them.
 */
final class SolarCalculator {

    private static final double JD_UNIX_EPOCH = 2440587.5;
    private static final double JD_J2000 = 2451545.0;
    private static final int REFINEMENTS = 4;

    private SolarCalculator() {
    }

    /**
     * Solar noon (the sun's transit of the meridian at {@code lon}) of the solar day near {@code utcDay}: 12:00 UTC
     * shifted by longitude and the equation of time.
     */
    static Instant noon(LocalDate utcDay, double lon) {
        double minutes = 720 - 4 * lon;
        for (int i = 0; i < REFINEMENTS; i++) {
            minutes = 720 - 4 * lon - equationOfTime(julianCentury(utcDay, minutes));
        }
        return at(utcDay, minutes);
    }

    /**
     * When the sun's centre crosses {@code altitude} degrees, rising ({@code rising}) before or setting after the
     * noon of the solar day near {@code utcDay}; null if it does not cross it that day (it stays above or below).
     */
    static Instant crossing(LocalDate utcDay, double lat, double lon, double altitude, boolean rising) {
        double minutes = 720 - 4 * lon;
        for (int i = 0; i < REFINEMENTS; i++) {
            double t = julianCentury(utcDay, minutes);
            double hourAngle = hourAngle(lat, declination(t), altitude);
            if (Double.isNaN(hourAngle)) {
                return null;
            }
            minutes = 720 - 4 * lon - equationOfTime(t) + (rising ? -4 : 4) * hourAngle;
        }
        return at(utcDay, minutes);
    }

    /** Hour angle in degrees at which the sun's centre is at {@code altitude}; NaN if it never is that day. */
    private static double hourAngle(double lat, double declination, double altitude) {
        double phi = Math.toRadians(lat);
        double cosH = (Math.sin(Math.toRadians(altitude)) - Math.sin(phi) * Math.sin(declination))
                / (Math.cos(phi) * Math.cos(declination));
        return cosH < -1 || cosH > 1 ? Double.NaN : Math.toDegrees(Math.acos(cosH));
    }

    private static double julianCentury(LocalDate utcDay, double minutes) {
        double jd = JD_UNIX_EPOCH + utcDay.toEpochDay() + minutes / 1440.0;
        return (jd - JD_J2000) / 36525.0;
    }

    private static Instant at(LocalDate utcDay, double minutes) {
        long millis = Math.round(minutes * 60_000.0);
        return Instant.ofEpochSecond(utcDay.toEpochDay() * 86_400L).plusMillis(millis);
    }

    private static double meanLongitude(double t) {
        return mod360(280.46646 + t * (36000.76983 + t * 0.0003032));
    }

    private static double meanAnomaly(double t) {
        return 357.52911 + t * (35999.05029 - 0.0001537 * t);
    }

    private static double eccentricity(double t) {
        return 0.016708634 - t * (0.000042037 + 0.0000001267 * t);
    }

    private static double obliquity(double t) {
        double mean = 23 + (26 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60) / 60;
        return mean + 0.00256 * Math.cos(Math.toRadians(125.04 - 1934.136 * t));
    }

    /** The sun's declination in radians. */
    private static double declination(double t) {
        double m = Math.toRadians(meanAnomaly(t));
        double centre = Math.sin(m) * (1.914602 - t * (0.004817 + 0.000014 * t))
                + Math.sin(2 * m) * (0.019993 - 0.000101 * t) + Math.sin(3 * m) * 0.000289;
        double apparentLongitude = meanLongitude(t) + centre - 0.00569
                - 0.00478 * Math.sin(Math.toRadians(125.04 - 1934.136 * t));
        return Math.asin(Math.sin(Math.toRadians(obliquity(t))) * Math.sin(Math.toRadians(apparentLongitude)));
    }

    /** Apparent minus mean solar time, in minutes. */
    private static double equationOfTime(double t) {
        double y = Math.pow(Math.tan(Math.toRadians(obliquity(t)) / 2), 2);
        double l0 = Math.toRadians(meanLongitude(t));
        double e = eccentricity(t);
        double m = Math.toRadians(meanAnomaly(t));
        double radians = y * Math.sin(2 * l0) - 2 * e * Math.sin(m) + 4 * e * y * Math.sin(m) * Math.cos(2 * l0)
                - 0.5 * y * y * Math.sin(4 * l0) - 1.25 * e * e * Math.sin(2 * m);
        return 4 * Math.toDegrees(radians);
    }

    private static double mod360(double degrees) {
        double r = degrees % 360;
        return r < 0 ? r + 360 : r;
    }
}
