package org.celeriac.spi.backend;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * The join of a chord: collects the outcomes of its header members as each finishes and hands them, in header
 * order, to the member that finished last, which then sends the body. Implementations are atomic across all clients
 * of the backend, so that a chord whose members run on several workers, Celeriac's and Celery's, fires once.
 *
 * <p>The life of one join: {@link #begin} before the header is sent, {@link #memberDone} once per member,
 * {@link #end} once the body is sent or the chord failed.
 */
@ConsumerType
public interface ChordJoin {

    /** Prepares the join of a chord whose header has {@code size} members (Celery's {@code set_chord_size}). */
    void begin(String groupId, int size, Duration ttl);

    /**
     * Records the outcome of the header member at {@code index}. Once every member has reported, and for as long as
     * the join has not {@linkplain #end ended}, returns every member's outcome in header order; before that, and
     * after the end, empty. A member reporting again (a message redelivered after a crash) replaces its outcome,
     * so it is counted once.
     *
     * @param outcome the member's task id, state and result (the exception in Celery's form when it failed)
     */
    Optional<List<TaskResult>> memberDone(String groupId, int index, TaskResult outcome, Duration ttl);

    /** Ends the join and forgets it; true for the one caller that ended it, false when it had ended before. */
    boolean end(String groupId);
}
