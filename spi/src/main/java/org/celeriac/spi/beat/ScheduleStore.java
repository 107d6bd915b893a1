package org.celeriac.spi.beat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What beats share: when each periodic entry last ran, the entries added at run time, and the leader lease that lets
 * only one of several beats send. A restarted beat reads the last runs back, so it neither skips nor repeats a tick.
 *
 * <p>Every method may be called from several processes on the same store at once; each is atomic on its own.
 * Failures to reach the store throw {@link ScheduleStoreException}.
 */
@ConsumerType
public interface ScheduleStore extends AutoCloseable {

    /** When each entry last ran, by entry name: the tick last recorded for it. */
    Map<String, Instant> lastRuns();

    /** Records that an entry ran for the tick {@code at}; an earlier tick than the one stored is ignored. */
    void recordRun(String entry, Instant at);

    /** Forgets an entry's last run, when the entry goes away. */
    void forgetRun(String entry);

    /**
     * Takes the leader lease for {@code holder}, or renews it if {@code holder} holds it, for {@code ttl} as the store
     * counts time. Fails while another holder's lease has not expired.
     *
     * @return whether {@code holder} holds the lease now
     */
    boolean acquireLease(String holder, Duration ttl);

    /** Gives the lease up if {@code holder} holds it, so that another beat takes over at once. */
    void releaseLease(String holder);

    /** Who holds an unexpired lease now, if anyone. */
    Optional<String> leaseHolder();

    /**
     * Entries added at run time ({@code celeriac beat add}), by name, each as its definition in JSON: an object of the
     * shape of one entry of Celery's {@code beat_schedule} ({@code {"task": ..., "schedule": ..., "args": ...}}).
     */
    Map<String, String> entries();

    /** Adds an entry, or replaces the one of that name. */
    void putEntry(String name, String definitionJson);

    /** @return whether there was an entry of that name */
    boolean removeEntry(String name);

    @Override
    void close();
}
