package org.celeriac.beat;

import java.time.Duration;
import java.time.ZoneId;
import java.util.Objects;

/**
 * How a beat runs.
 *
 * @param holder      this beat's name on the lease ({@code beat@host:pid}); unique among the beats of a store
 * @param leaseTtl    how long a lease lasts unrenewed: how soon another beat takes over from one that died
 * @param missedRun   what to do with ticks that passed while no beat ran
 * @param maxInterval the longest a beat sleeps between looks at its store (Celery's {@code beat_max_loop_interval})
 * @param zone        the zone of crontab entries that name none ({@code beat_timezone})
 */
public record BeatSettings(String holder, Duration leaseTtl, MissedRun missedRun, Duration maxInterval, ZoneId zone) {
    public BeatSettings {
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(missedRun, "missedRun");
        Objects.requireNonNull(zone, "zone");
        if (leaseTtl.compareTo(Duration.ofMillis(200)) < 0) {
            throw new IllegalArgumentException("beat lease TTL must be at least 200 ms, not " + leaseTtl);
        }
        if (maxInterval.isNegative() || maxInterval.isZero()) {
            throw new IllegalArgumentException("beat max loop interval must be positive, not " + maxInterval);
        }
    }

    /** Five-second leases, missed ticks sent once, a look at the store at least every five seconds, UTC. */
    public static BeatSettings defaults(String holder) {
        return new BeatSettings(holder, Duration.ofSeconds(5), MissedRun.ONCE, Duration.ofSeconds(5), ZoneId.of("UTC"));
    }

    public BeatSettings withLeaseTtl(Duration ttl) {
        return new BeatSettings(holder, ttl, missedRun, maxInterval, zone);
    }

    public BeatSettings withMissedRun(MissedRun policy) {
        return new BeatSettings(holder, leaseTtl, policy, maxInterval, zone);
    }

    public BeatSettings withMaxInterval(Duration interval) {
        return new BeatSettings(holder, leaseTtl, missedRun, interval, zone);
    }

    public BeatSettings withZone(ZoneId z) {
        return new BeatSettings(holder, leaseTtl, missedRun, maxInterval, z);
    }
}
