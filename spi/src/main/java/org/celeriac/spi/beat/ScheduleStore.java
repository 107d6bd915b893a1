package org.celeriac.spi.beat;

import java.time.Instant;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/** Remembers when each periodic schedule entry last ran, so that a restarted beat neither skips nor repeats. */
@ConsumerType
public interface ScheduleStore {

    Optional<Instant> lastRun(String entry);

    void recordRun(String entry, Instant at);
}
