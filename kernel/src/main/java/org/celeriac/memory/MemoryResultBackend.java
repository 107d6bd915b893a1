package org.celeriac.memory;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

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
    public void close() {
        // nothing held per client
    }
}
