package org.celeriac.memory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.celeriac.spi.backend.ChordJoin;
import org.celeriac.spi.backend.ResultBackend;
import org.celeriac.spi.backend.TaskResult;

/** Results in a map shared by the backends opened on one {@code memory://} URL; waiters are woken on store. */
final class MemoryResultBackend implements ResultBackend {

    static final class Store {
        record Stored<T>(T value, long expiresAtNanos) {
            boolean expired() {
                return expiresAtNanos != 0 && System.nanoTime() - expiresAtNanos > 0;
            }
        }

        final Map<String, Stored<TaskResult>> results = new ConcurrentHashMap<>();
        final Map<String, Stored<Long>> counters = new ConcurrentHashMap<>();
        final Map<String, Stored<List<Object>>> groups = new ConcurrentHashMap<>();
        /** Chords being joined: each member's outcome by header index (guarded by the join itself). */
        final Map<String, TaskResult[]> chords = new ConcurrentHashMap<>();

        static long deadline(Duration ttl) {
            return ttl == null ? 0 : System.nanoTime() + ttl.toNanos() | 1;
        }
    }

    private final Store store;

    MemoryResultBackend(Store store) {
        this.store = store;
    }

    @Override
    public void store(TaskResult result, Duration ttl) {
        store.results.put(result.taskId(), new Store.Stored<>(result, Store.deadline(ttl)));
        synchronized (store) {
            store.notifyAll();
        }
    }

    @Override
    public Optional<TaskResult> get(String taskId) {
        Store.Stored<TaskResult> s = store.results.get(taskId);
        if (s == null) {
            return Optional.empty();
        }
        if (s.expired()) {
            store.results.remove(taskId, s);
            return Optional.empty();
        }
        return Optional.of(s.value());
    }

    @Override
    public Optional<TaskResult> await(String taskId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (store) {
            while (true) {
                Optional<TaskResult> r = get(taskId);
                if (r.isPresent() && r.get().state().isReady()) {
                    return r;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                store.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    @Override
    public void forget(String taskId) {
        store.results.remove(taskId);
    }

    @Override
    public long increment(String key, long delta, Duration ttl) {
        return store.counters.compute(key, (k, old) -> new Store.Stored<>(
                (old == null || old.expired() ? 0 : old.value()) + delta, Store.deadline(ttl))).value();
    }

    @Override
    public void saveGroup(String groupId, List<Object> members, Duration ttl) {
        store.groups.put(groupId, new Store.Stored<>(List.copyOf(new ArrayList<>(members)), Store.deadline(ttl)));
    }

    @Override
    public Optional<List<Object>> restoreGroup(String groupId) {
        Store.Stored<List<Object>> s = store.groups.get(groupId);
        return s == null || s.expired() ? Optional.empty() : Optional.of(s.value());
    }

    @Override
    public void forgetGroup(String groupId) {
        store.groups.remove(groupId);
    }

    @Override
    public Optional<ChordJoin> chordJoin() {
        return Optional.of(join);
    }

    /** Outcomes by index in an array per chord; the whole join under the array's lock. Chords here never expire. */
    private final ChordJoin join = new ChordJoin() {
        @Override
        public void begin(String groupId, int size, Duration ttl) {
            store.chords.putIfAbsent(groupId, new TaskResult[size]);
        }

        @Override
        public Optional<List<TaskResult>> memberDone(String groupId, int index, TaskResult outcome, Duration ttl) {
            TaskResult[] members = store.chords.get(groupId);
            if (members == null || index < 0 || index >= members.length) {
                return Optional.empty();
            }
            synchronized (members) {
                members[index] = outcome;
                for (TaskResult m : members) {
                    if (m == null) {
                        return Optional.empty();
                    }
                }
                return Optional.of(List.copyOf(Arrays.asList(members)));
            }
        }

        @Override
        public boolean end(String groupId) {
            return store.chords.remove(groupId) != null;
        }
    };

    @Override
    public void close() {
        // nothing held per client
    }
}
