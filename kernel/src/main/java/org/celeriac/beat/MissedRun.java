package org.celeriac.beat;

import java.util.Locale;

/** What beat does with the ticks of an entry that passed while no beat ran ({@code beat_missed_run}). */
public enum MissedRun {
    /** Sends one run for all of them, as Celery's beat does, then keeps to the schedule. */
    ONCE,
    /** Sends none of them; the schedule resumes with its next tick. */
    SKIP;

    public static MissedRun parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("beat_missed_run: 'once' or 'skip', not '" + value + "'", e);
        }
    }
}
