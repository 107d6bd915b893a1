package org.celeriac.memory;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.celeriac.spi.beat.ScheduleStore;

/**
 * A schedule store in this process's memory, for tests and for beats embedded beside each other in one JVM. Stores
 * opened on the same URL through one factory share their {@link Shared} state.
 */
final class MemoryScheduleStore implements ScheduleStore {

    /** What the stores of one URL share; every access holds its lock. */
    static final class Shared {
        private final Map<String, Instant> lastRuns = new LinkedHashMap<>();
        private final Map<String, String> entries = new LinkedHashMap<>();
        private String holder;
        private long expiresAtNanos;
    }

    private final Shared shared;

    MemoryScheduleStore(Shared shared) {
        this.shared = shared;
    }

    @Override
    public Map<String, Instant> lastRuns() {
        synchronized (shared) {
            return Map.copyOf(shared.lastRuns);
        }
    }

    @Override
    public void recordRun(String entry, Instant at) {
        synchronized (shared) {
            shared.lastRuns.merge(entry, at, (a, b) -> a.isAfter(b) ? a : b);
        }
    }

    @Override
    public void forgetRun(String entry) {
        synchronized (shared) {
            shared.lastRuns.remove(entry);
        }
    }

    @Override
    public boolean acquireLease(String holder, Duration ttl) {
        synchronized (shared) {
            long now = System.nanoTime();
            if (shared.holder != null && !shared.holder.equals(holder) && now - shared.expiresAtNanos < 0) {
                return false;
            }
            shared.holder = holder;
            shared.expiresAtNanos = now + ttl.toNanos();
            return true;
        }
    }

    @Override
    public void releaseLease(String holder) {
        synchronized (shared) {
            if (holder.equals(shared.holder)) {
                shared.holder = null;
            }
        }
    }

    @Override
    public Optional<String> leaseHolder() {
        synchronized (shared) {
            return shared.holder != null && System.nanoTime() - shared.expiresAtNanos < 0
                    ? Optional.of(shared.holder) : Optional.empty();
        }
    }

    @Override
    public Map<String, String> entries() {
        synchronized (shared) {
            return Map.copyOf(shared.entries);
        }
    }

    @Override
    public void putEntry(String name, String definitionJson) {
        synchronized (shared) {
            shared.entries.put(name, definitionJson);
        }
    }

    @Override
    public boolean removeEntry(String name) {
        synchronized (shared) {
            return shared.entries.remove(name) != null;
        }
    }

    @Override
    public void close() {
    }
}
