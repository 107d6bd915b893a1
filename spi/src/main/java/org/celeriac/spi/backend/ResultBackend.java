package org.celeriac.spi.backend;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

/** Stores task results where clients read them. Implementations are safe for use by several threads. */
@ConsumerType
public interface ResultBackend extends AutoCloseable {

    /** Stores (replaces) the result of a task, kept for {@code ttl}, or forever when {@code ttl} is null. */
    void store(TaskResult result, Duration ttl);

    /**
     * Stores several results, each as {@link #store} would; backends batch where their store allows. When it
     * throws, some may have been stored.
     */
    default void storeAll(Collection<TaskResult> results, Duration ttl) {
        for (TaskResult r : results) {
            store(r, ttl);
        }
    }

    /** The stored result of a task, empty when none is stored or it has expired. */
    Optional<TaskResult> get(String taskId);

    /**
     * Waits until the task's result is {@linkplain TaskState#isReady() ready}, up to {@code timeout}.
     * This default polls; backends with notifications override it.
     *
     * @return the ready result, or empty when the time ran out first
     */
    default Optional<TaskResult> await(String taskId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMillis = 1;
        while (true) {
            Optional<TaskResult> result = get(taskId);
            if (result.isPresent() && result.get().state().isReady()) {
                return result;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            Thread.sleep(Math.min(pauseMillis, Math.max(1, left / 1_000_000)));
            pauseMillis = Math.min(pauseMillis * 2, 50);
        }
    }

    /**
     * Whether results travel to each task's sender as a reply, as with Celery's {@code rpc://} backend, rather than
     * being stored for any client. Workers then put the task message's {@code reply_to} and {@code correlation_id}
     * in {@link TaskResult#extended()} under those names, and only the sender reads the result.
     */
    default boolean repliesToSender() {
        return false;
    }

    /**
     * The queue on which this client receives replies, which it sends as each task's {@code reply_to}; null for
     * backends that do not {@linkplain #repliesToSender() reply to the sender}.
     */
    default String replyQueue() {
        return null;
    }

    /** Removes a task's result. */
    void forget(String taskId);

    /**
     * Adds {@code delta} to a named counter, creating it at zero, and returns the new value atomically across
     * all clients of the backend (chords count finished header tasks with it). The counter expires after
     * {@code ttl} without change, or never when {@code ttl} is null.
     */
    long increment(String key, long delta, Duration ttl);

    /**
     * How this backend joins chords atomically; empty when it cannot, and chords then wait for their header with
     * Celery's {@code celery.chord_unlock} polling.
     */
    default Optional<ChordJoin> chordJoin() {
        return Optional.empty();
    }

    /**
     * Saves a group's members (Celery's {@code GroupResult.save}), kept for {@code ttl}, or forever when null.
     *
     * @param members each member's result in Celery's tuple form ({@code [[id, parent], children]})
     * @throws UnsupportedOperationException when this backend keeps no groups
     */
    default void saveGroup(String groupId, List<Object> members, Duration ttl) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps no groups");
    }

    /** A saved group's members in Celery's tuple form, empty when none is saved or it expired. */
    default Optional<List<Object>> restoreGroup(String groupId) {
        return Optional.empty();
    }

    /** Removes a saved group (not its members' results). */
    default void forgetGroup(String groupId) {
    }

    @Override
    void close();
}
