package org.celeriac.beat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Fires once, at {@code at} (django-celery-beat's {@code clocked}); after that, never again.
 *
 * @param at the one instant the task runs
 */
public record ClockedSchedule(Instant at) implements Schedule {

    // Python's str() of an aware datetime, which is what Celery's repr shows.
    private static final DateTimeFormatter PY_SECONDS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ssxxx");
    private static final DateTimeFormatter PY_MICROS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx");

    public ClockedSchedule {
        Objects.requireNonNull(at, "at");
    }

    /** The schedule firing once at {@code at}. */
    public static ClockedSchedule at(Instant at) {
        return new ClockedSchedule(at);
    }

    @Override
    public Optional<Instant> nextAfter(Instant after) {
        return at.isAfter(after) ? Optional.of(at) : Optional.empty();
    }

    @Override
    public String describe() {
        var utc = at.atOffset(ZoneOffset.UTC);
        return "<clocked: " + (utc.getNano() / 1000 == 0 ? PY_SECONDS : PY_MICROS).format(utc) + ">";
    }

    @Override
    public Map<String, Object> toDefinition() {
        return Map.of("clocked", at.toString());
    }
}
