package org.celeriac.beat;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * When a periodic task runs: the pure arithmetic of Celery beat's schedules, free of clocks and I/O, so that the beat
 * loop asks "what comes after the last run (or now)?" and sleeps until then.
 */
public sealed interface Schedule permits IntervalSchedule, CrontabSchedule, ClockedSchedule, SolarSchedule {

    /**
     * The first instant strictly after {@code after} at which this schedule fires.
     *
     * @return empty if it never fires again (a clocked time already past, a solar event that no longer occurs within
     *     a year)
     */
    Optional<Instant> nextAfter(Instant after);

    /** A human form like the repr of the matching Celery schedule, e.g. {@code <freq: 1.00 second>}. */
    String describe();

    /**
     * The definition as a YAML/JSON {@code schedule:} value: plain maps, strings and numbers that
     * {@link Schedules#parse(Object, java.time.ZoneId)} reads back into an equal schedule.
     */
    Map<String, Object> toDefinition();
}
