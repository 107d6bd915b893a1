package org.celeriac.monitor;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;

/**
 * Request arguments read as Flower reads them (its {@code get_argument} with a type): a missing required one is
 * {@code 400 Missing argument NAME}, one of the wrong type {@code 400 Invalid argument 'VALUE' of type 'TYPE'}.
 */
final class FlowerArguments {
    /** Flower's {@code received_start} and {@code received_end}, in the monitor's local time as Flower's. */
    private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);

    private FlowerArguments() {
    }

    static String required(Map<String, String> q, String name) {
        String value = q.get(name);
        if (value == null) {
            throw FlowerError.text(400, "Missing argument " + name);
        }
        return value;
    }

    /** Python's {@code strtobool}, as Flower's boolean arguments. */
    static boolean bool(Map<String, String> q, String name, boolean absent) {
        String value = q.get(name);
        if (value == null) {
            return absent;
        }
        switch (value.toLowerCase(Locale.ROOT)) {
            case "y", "yes", "t", "true", "on", "1":
                return true;
            case "n", "no", "f", "false", "off", "0":
                return false;
            default:
                throw FlowerError.text(400, "Invalid argument '" + value + "' of type 'bool'");
        }
    }

    /** A whole number; {@code absent} when not given, or required when that is null. */
    static int whole(Map<String, String> q, String name, Integer absent) {
        String value = q.get(name);
        if (value == null) {
            if (absent == null) {
                throw FlowerError.text(400, "Missing argument " + name);
            }
            return absent;
        }
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw FlowerError.text(400, "Invalid argument '" + value + "' of type 'int'");
        }
    }

    /** A number, or null when not given. */
    static Double decimal(Map<String, String> q, String name) {
        String value = q.get(name);
        if (value == null) {
            return null;
        }
        try {
            return Double.valueOf(value.strip());
        } catch (NumberFormatException e) {
            throw FlowerError.text(400, "Invalid argument '" + value + "' of type 'float'");
        }
    }

    /** {@code YYYY-MM-DD HH:MM} in local time as seconds since the epoch, or null when not given. */
    static Double minute(Map<String, String> q, String name) {
        String value = q.get(name);
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return (double) LocalDateTime.parse(value.strip(), MINUTE).atZone(ZoneId.systemDefault()).toEpochSecond();
        } catch (DateTimeParseException e) {
            throw FlowerError.text(400, "Invalid argument '" + value + "' of type 'date'");
        }
    }
}
