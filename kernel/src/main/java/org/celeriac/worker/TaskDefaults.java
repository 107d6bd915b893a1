package org.celeriac.worker;

import java.time.Duration;

/**
 * Worker-wide defaults for what a task does not set itself, by Celery's settings.
 *
 * @param timeLimit     {@code task_time_limit}: the hard time limit, or null for none
 * @param softTimeLimit {@code task_soft_time_limit}: the soft time limit, or null for none
 * @param trackStarted  {@code task_track_started}: store STARTED when a task starts
 */
public record TaskDefaults(Duration timeLimit, Duration softTimeLimit, boolean trackStarted) {

    public TaskDefaults {
        timeLimit = positiveOrNull(timeLimit);
        softTimeLimit = positiveOrNull(softTimeLimit);
    }

    /** Celery's: no time limits, STARTED not stored. */
    public static TaskDefaults defaults() {
        return new TaskDefaults(null, null, false);
    }

    public TaskDefaults withTimeLimits(Duration hard, Duration soft) {
        return new TaskDefaults(hard, soft, trackStarted);
    }

    public TaskDefaults withTrackStarted(boolean track) {
        return new TaskDefaults(timeLimit, softTimeLimit, track);
    }

    private static Duration positiveOrNull(Duration d) {
        return d == null || d.isZero() || d.isNegative() ? null : d;
    }
}
